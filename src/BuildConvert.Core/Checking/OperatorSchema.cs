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
/// <param name="TypeConstraint">The type string (e.g. <c>T</c> or <c>tensor(int64)</c>).</param>
/// <param name="Option">Single, optional or variadic.</param>
/// <param name="MinArity">For variadic formals: the minimum count (the spec writes e.g. "1 - ∞").</param>
public sealed record FormalParameter(string Name, string TypeConstraint, FormalParameterOption Option, int MinArity = 1);

/// <summary>An attribute an operator version declares.</summary>
public sealed record AttributeSchema(string Name, AttributeProto.Types.AttributeType Type, bool Required);

/// <summary>
/// One version of one operator (domain, name, since-version), as published in the ONNX operator changelogs.
/// A node in a model importing opset <c>v</c> of the domain is checked against the version with the highest
/// <see cref="SinceVersion"/> that is &lt;= <c>v</c>.
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
    bool Deprecated = false)
{
    /// <summary>Whether the schema lets a node take arbitrary attributes (none of the published ones do).</summary>
    public bool AllowsUnknownAttributes => false;
}
