using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Checking;

/// <summary>How many actual arguments a formal input or output takes.</summary>
public enum FormalParameterOption
{
    /// <summary>Exactly one, always present.</summary>
    Single,

    /// <summary>Zero or one (may be omitted at the end, or given as an empty name).</summary>
    Optional,

    /// <summary>One or more (zero or more when <see cref="FormalParameter.MinArity"/> is 0); only the last formal can be variadic.</summary>
    Variadic,
}

/// <summary>A formal input or output of an operator version.</summary>
/// <param name="Name">The formal name from the spec (e.g. <c>X</c>).</param>
/// <param name="TypeConstraint">The formal's type: the name of one of the operator's type variables
/// (<see cref="OperatorSchema.TypeConstraints"/>, e.g. <c>T</c>) or a concrete type string (e.g. <c>tensor(int64)</c>).</param>
/// <param name="Option">Single, optional or variadic.</param>
/// <param name="MinArity">For variadic formals: the minimum count (the spec writes e.g. "1 - ∞").</param>
/// <param name="IsHomogeneous">For variadic formals: whether every actual argument must have the same type
/// (false where the spec writes "(variadic, heterogeneous)").</param>
public sealed record FormalParameter(string Name, string TypeConstraint, FormalParameterOption Option, int MinArity = 1, bool IsHomogeneous = true);

/// <summary>
/// A type variable of an operator version and the types it may take, as the spec writes them: <c>tensor(float)</c>,
/// <c>seq(tensor(int64))</c>, <c>optional(seq(tensor(bool)))</c>, <c>map(int64, float)</c> (a bare element type stands
/// for a tensor of it, as in ONNX). Every formal typed with the variable takes one of these types, and in a node all
/// formals typed with it (and every member of a homogeneous variadic one) take the same type.
/// </summary>
public sealed record TypeConstraint
{
    private readonly IReadOnlyList<string> allowedTypes = Array.Empty<string>();
    private readonly HashSet<string> canonical = new(StringComparer.Ordinal);

    /// <summary>Creates a type constraint.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public TypeConstraint(string name, IReadOnlyList<string> allowedTypes)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        AllowedTypes = allowedTypes;
    }

    /// <summary>The type variable (e.g. <c>T</c>, <c>T1</c>, <c>Tind</c>).</summary>
    public string Name { get; init; }

    /// <summary>The allowed type strings in the spec's order.</summary>
    public IReadOnlyList<string> AllowedTypes
    {
        get => allowedTypes;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            allowedTypes = value;
            canonical = new HashSet<string>(value.Select(OnnxTypeStrings.Canonical), StringComparer.Ordinal);
        }
    }

    /// <summary>Whether <paramref name="type"/> is one of the allowed types (compared in canonical form, see
    /// <see cref="OnnxTypeStrings.Canonical"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="type"/> is null.</exception>
    public bool Allows(string type) => canonical.Contains(OnnxTypeStrings.Canonical(type));

    /// <summary>Value equality: the same name and the same allowed types in the same order.</summary>
    public bool Equals(TypeConstraint? other) =>
        other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal) && AllowedTypes.SequenceEqual(other.AllowedTypes);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, AllowedTypes.Count);
}

/// <summary>An attribute an operator version declares.</summary>
public sealed record AttributeSchema(string Name, AttributeProto.Types.AttributeType Type, bool Required);

/// <summary>
/// One version of one operator (domain, name, since-version), as published in the ONNX operator changelogs.
/// A node in a model importing opset <c>v</c> of the domain is checked against the version with the highest
/// <see cref="SinceVersion"/> that is &lt;= <c>v</c>.
/// The changelogs document no formals or attributes for a deprecated version: when <see cref="Deprecated"/> is true,
/// <see cref="Inputs"/>, <see cref="Outputs"/> and <see cref="Attributes"/> are empty and the counts are 0, and a checker
/// rejects the node for using a deprecated operator before looking at its arity. <see cref="Experimental"/> marks versions
/// the spec publishes without versioning guarantees.
/// </summary>
public sealed record OperatorSchema(
    string Domain,
    string Name,
    int SinceVersion,
    IReadOnlyList<FormalParameter> Inputs,
    IReadOnlyList<FormalParameter> Outputs,
    IReadOnlyList<AttributeSchema> Attributes,
    int MinInputs,
    int MaxInputs,
    int MinOutputs,
    int MaxOutputs,
    bool Deprecated = false,
    bool Experimental = false)
{
    /// <summary>The operator's type variables with their allowed types (empty for a deprecated version).</summary>
    public IReadOnlyList<TypeConstraint> TypeConstraints { get; init; } = Array.Empty<TypeConstraint>();

    /// <summary>The value <see cref="MaxInputs"/> and <see cref="MaxOutputs"/> take when the last formal is variadic (no upper bound).</summary>
    public const int Unbounded = int.MaxValue;

    /// <summary>The declared attribute with this exact (case-sensitive) name, or null.</summary>
    public AttributeSchema? FindAttribute(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var attribute in Attributes)
        {
            if (string.Equals(attribute.Name, name, StringComparison.Ordinal))
            {
                return attribute;
            }
        }

        return null;
    }

    /// <summary>The type variable named <paramref name="name"/> (e.g. a formal's <see cref="FormalParameter.TypeConstraint"/>),
    /// or null when the operator has none of that name (then the formal's type is a concrete type string).</summary>
    public TypeConstraint? FindTypeConstraint(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var constraint in TypeConstraints)
        {
            if (string.Equals(constraint.Name, name, StringComparison.Ordinal))
            {
                return constraint;
            }
        }

        return null;
    }
}
