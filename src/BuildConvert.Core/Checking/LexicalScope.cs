namespace BuildConvert.Core.Checking;

/// <summary>
/// The names defined in one graph or function body, with the enclosing graph's scope as parent; for each name the
/// type known for it (canonical type string, see <see cref="OnnxTypeStrings"/>), and the types this graph declares for
/// its values (graph outputs and value_info) for the checks that compare them with propagated types.
/// </summary>
internal sealed class LexicalScope
{
    private readonly Dictionary<string, string?> names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Type, string Source)> declared = new(StringComparer.Ordinal);
    private readonly LexicalScope? parent;

    public LexicalScope(LexicalScope? parent)
    {
        this.parent = parent;
    }

    /// <summary>Whether this graph itself defines the name.</summary>
    public bool DefinesHere(string name) => names.ContainsKey(name);

    /// <summary>Whether this graph or an enclosing graph defines the name.</summary>
    public bool IsVisible(string name)
    {
        for (var scope = this; scope is not null; scope = scope.parent)
        {
            if (scope.names.ContainsKey(name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Defines the name here; a known type replaces an unknown one, never the other way round.</summary>
    public void Add(string name, string? type = null)
    {
        if (!names.TryGetValue(name, out var existing) || existing is null)
        {
            names[name] = type;
        }
    }

    /// <summary>The type of the name in the nearest graph that defines it, or null when unknown or not visible.</summary>
    public string? TypeOf(string name)
    {
        for (var scope = this; scope is not null; scope = scope.parent)
        {
            if (scope.names.TryGetValue(name, out var type))
            {
                return type;
            }
        }

        return null;
    }

    /// <summary>Records a type this graph declares for one of its values (the first declaration wins).</summary>
    public void Declare(string name, string type, string source) => declared.TryAdd(name, (type, source));

    /// <summary>The type this graph declares for the name, with where (e.g. <c>graph output</c>), or null.</summary>
    public (string Type, string Source)? DeclaredType(string name) => declared.TryGetValue(name, out var d) ? d : null;
}
