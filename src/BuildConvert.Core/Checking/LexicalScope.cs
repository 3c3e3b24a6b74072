namespace BuildConvert.Core.Checking;

/// <summary>The names defined in one graph or function body, with the enclosing graph's scope as parent.</summary>
internal sealed class LexicalScope
{
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly LexicalScope? parent;

    public LexicalScope(LexicalScope? parent)
    {
        this.parent = parent;
    }

    /// <summary>Whether this graph itself defines the name.</summary>
    public bool DefinesHere(string name) => names.Contains(name);

    /// <summary>Whether this graph or an enclosing graph defines the name.</summary>
    public bool IsVisible(string name)
    {
        for (var scope = this; scope is not null; scope = scope.parent)
        {
            if (scope.names.Contains(name))
            {
                return true;
            }
        }

        return false;
    }

    public void Add(string name) => names.Add(name);
}
