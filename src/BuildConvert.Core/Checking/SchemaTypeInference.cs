using System.Globalization;
using BuildConvert.Core.Formats.Onnx.Proto;
using AttributeType = BuildConvert.Core.Formats.Onnx.Proto.AttributeProto.Types.AttributeType;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Checking;

/// <summary>A problem <see cref="SchemaTypeInference"/> finds in one node.</summary>
public abstract record TypeViolation;

/// <summary>
/// An input or output of a node has a type its formal does not allow: not in the type variable's allowed set, or not
/// the concrete type the formal names (<see cref="Constraint"/> is null then and <see cref="Allowed"/> holds that type).
/// </summary>
/// <param name="IsOutput">Whether <see cref="Index"/> is an output position.</param>
/// <param name="Index">The input or output position in the node.</param>
/// <param name="Formal">The formal the position maps to.</param>
/// <param name="ActualType">The type found (canonical type string).</param>
/// <param name="Constraint">The type variable, or null when the formal names a concrete type.</param>
/// <param name="Allowed">The allowed types, as the schema writes them.</param>
/// <param name="Origin">Where an output's type came from (e.g. <c>attribute 'to'</c>, <c>declared</c>); null for inputs.</param>
public sealed record TypeNotAllowed(bool IsOutput, int Index, FormalParameter Formal, string ActualType, TypeConstraint? Constraint,
    IReadOnlyList<string> Allowed, string? Origin) : TypeViolation;

/// <summary>Two inputs of a node bound to one type variable have different types.</summary>
/// <param name="Constraint">The type variable.</param>
/// <param name="FirstIndex">The input that bound the variable first.</param>
/// <param name="FirstType">The type it bound the variable to.</param>
/// <param name="Index">The input whose type differs.</param>
/// <param name="ActualType">Its type.</param>
public sealed record TypeVariableConflict(TypeConstraint Constraint, int FirstIndex, string FirstType, int Index, string ActualType) : TypeViolation;

/// <summary>A declared output type (graph output or value_info) differs from the type the operator produces.</summary>
/// <param name="Index">The output position.</param>
/// <param name="DeclaredType">The declared type.</param>
/// <param name="InferredType">The type the schema gives.</param>
/// <param name="Origin">Why the schema gives that type (e.g. <c>attribute 'to'</c>, <c>type T bound by input 0</c>).</param>
public sealed record DeclaredTypeContradiction(int Index, string DeclaredType, string InferredType, string Origin) : TypeViolation;

/// <summary>The types <see cref="SchemaTypeInference.Infer"/> found for a node.</summary>
/// <param name="OutputTypes">Per node output: the inferred type, else the declared one, else null (unknown).</param>
/// <param name="Violations">The problems found, in input then output order.</param>
public sealed record TypeInferenceResult(IReadOnlyList<string?> OutputTypes, IReadOnlyList<TypeViolation> Violations);

/// <summary>
/// Schema-driven type propagation for one node, as ONNX's strict type check does it: each input's type must be allowed
/// by its formal's type variable (or equal the concrete type the formal names); the inputs typed with one variable (all
/// members of a homogeneous variadic formal included) bind it to one type; an output's type is the bound type of its
/// variable, the concrete type its formal names, the only type its variable allows, or the type an attribute sets
/// (Cast/BitCast <c>to</c>, Constant <c>value*</c>, ConstantOfShape <c>value</c>, Random*/EyeLike/Bernoulli/Multinomial
/// <c>dtype</c>, SequenceEmpty <c>dtype</c>, window ops and MelWeightMatrix <c>output_datatype</c>, QuantizeLinear /
/// DequantizeLinear <c>output_dtype</c>); the sequence and optional operators derive it from their input, and
/// If/Loop/Scan from their bodies' outputs when the caller gives them. Unknown input types (null) are skipped, so an
/// unknown type never causes a violation. Shapes are not inferred. Stateless and thread-safe.
/// </summary>
public static class SchemaTypeInference
{
    /// <summary>Infers the output types of <paramref name="node"/> and reports type violations.</summary>
    /// <param name="schema">The node's resolved (not deprecated) operator version.</param>
    /// <param name="node">The node (its attributes and input/output names are read).</param>
    /// <param name="inputTypes">Per node input: its canonical type string (<see cref="OnnxTypeStrings"/>), or null when unknown or omitted.</param>
    /// <param name="declaredOutputTypes">Per node output: a declared type (graph output or value_info), or null; may be shorter or null.</param>
    /// <param name="bodyOutputTypes">For If/Loop/Scan: per graph attribute name, the types of the body's outputs (null entries unknown); may be null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="schema"/>, <paramref name="node"/> or <paramref name="inputTypes"/> is null.</exception>
    public static TypeInferenceResult Infer(
        OperatorSchema schema,
        NodeProto node,
        IReadOnlyList<string?> inputTypes,
        IReadOnlyList<string?>? declaredOutputTypes = null,
        IReadOnlyDictionary<string, IReadOnlyList<string?>>? bodyOutputTypes = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(inputTypes);
        var violations = new List<TypeViolation>();
        var bindings = new Dictionary<string, (string Type, int Index)>(StringComparer.Ordinal);
        for (var i = 0; i < node.Input.Count && i < inputTypes.Count; i++)
        {
            var formal = FormalAt(schema.Inputs, i);
            var type = inputTypes[i];
            if (formal is null || node.Input[i].Length == 0 || type is null)
            {
                continue;
            }

            var constraint = schema.FindTypeConstraint(formal.TypeConstraint);
            if (constraint is null)
            {
                if (!string.Equals(OnnxTypeStrings.Canonical(formal.TypeConstraint), type, StringComparison.Ordinal))
                {
                    violations.Add(new TypeNotAllowed(false, i, formal, type, null, new[] { formal.TypeConstraint }, null));
                }

                continue;
            }

            if (!constraint.Allows(type))
            {
                violations.Add(new TypeNotAllowed(false, i, formal, type, constraint, constraint.AllowedTypes, null));
                continue;
            }

            if (formal.Option == FormalParameterOption.Variadic && !formal.IsHomogeneous)
            {
                continue;
            }

            if (bindings.TryGetValue(constraint.Name, out var bound))
            {
                if (!string.Equals(bound.Type, type, StringComparison.Ordinal))
                {
                    violations.Add(new TypeVariableConflict(constraint, bound.Index, bound.Type, i, type));
                }
            }
            else
            {
                bindings.Add(constraint.Name, (type, i));
            }
        }

        var outputs = new string?[node.Output.Count];
        for (var j = 0; j < node.Output.Count; j++)
        {
            var formal = FormalAt(schema.Outputs, j);
            var declared = declaredOutputTypes is not null && j < declaredOutputTypes.Count ? declaredOutputTypes[j] : null;
            if (formal is null || node.Output[j].Length == 0)
            {
                outputs[j] = declared;
                continue;
            }

            var constraint = schema.FindTypeConstraint(formal.TypeConstraint);
            var inferred = InferOutput(schema, node, j, formal, constraint, bindings, inputTypes, bodyOutputTypes);
            if (inferred is { } found)
            {
                if (found.FromAttribute && constraint is not null && !constraint.Allows(found.Type))
                {
                    violations.Add(new TypeNotAllowed(true, j, formal, found.Type, constraint, constraint.AllowedTypes, found.Origin));
                }
                else if (declared is not null && !string.Equals(declared, found.Type, StringComparison.Ordinal))
                {
                    violations.Add(new DeclaredTypeContradiction(j, declared, found.Type, found.Origin));
                }

                outputs[j] = found.Type;
                continue;
            }

            if (declared is not null)
            {
                if (constraint is not null && !constraint.Allows(declared))
                {
                    violations.Add(new TypeNotAllowed(true, j, formal, declared, constraint, constraint.AllowedTypes, "declared"));
                }
                else if (constraint is null && !string.Equals(OnnxTypeStrings.Canonical(formal.TypeConstraint), declared, StringComparison.Ordinal))
                {
                    violations.Add(new TypeNotAllowed(true, j, formal, declared, null, new[] { formal.TypeConstraint }, "declared"));
                }
            }

            outputs[j] = declared;
        }

        return new TypeInferenceResult(outputs, violations);
    }

    /// <summary>The formal a node input or output position maps to (the last one when it is variadic), or null past the end.</summary>
    public static FormalParameter? FormalAt(IReadOnlyList<FormalParameter> formals, int index)
    {
        ArgumentNullException.ThrowIfNull(formals);
        if (index < formals.Count)
        {
            return formals[index];
        }

        return formals.Count > 0 && formals[^1].Option == FormalParameterOption.Variadic ? formals[^1] : null;
    }

    private readonly record struct Inferred(string Type, string Origin, bool FromAttribute);

    private static Inferred? InferOutput(
        OperatorSchema schema,
        NodeProto node,
        int index,
        FormalParameter formal,
        TypeConstraint? constraint,
        Dictionary<string, (string Type, int Index)> bindings,
        IReadOnlyList<string?> inputTypes,
        IReadOnlyDictionary<string, IReadOnlyList<string?>>? bodies)
    {
        if (schema.Domain.Length == 0 && Special(schema, node, index, inputTypes, bodies) is { } special)
        {
            return special.Type is null ? null : new Inferred(special.Type, special.Origin, special.FromAttribute);
        }

        if (constraint is null)
        {
            return new Inferred(OnnxTypeStrings.Canonical(formal.TypeConstraint), $"{schema.Name}-{schema.SinceVersion} declares it", false);
        }

        if (formal.Option == FormalParameterOption.Variadic && !formal.IsHomogeneous)
        {
            return null;
        }

        if (bindings.TryGetValue(constraint.Name, out var bound))
        {
            return new Inferred(bound.Type, $"type {constraint.Name} is bound by input {bound.Index} '{node.Input[bound.Index]}'", false);
        }

        return constraint.AllowedTypes.Count == 1
            ? new Inferred(OnnxTypeStrings.Canonical(constraint.AllowedTypes[0]), $"type {constraint.Name} allows only {constraint.AllowedTypes[0]}", false)
            : null;
    }

    /// <summary>
    /// Outputs whose type an attribute, an input's element type or a body sets. Returns null when the operator is not
    /// special for this output (the generic rule applies), or a result whose Type is null when the type is unknown.
    /// </summary>
    private static (string? Type, string Origin, bool FromAttribute)? Special(
        OperatorSchema schema, NodeProto node, int index, IReadOnlyList<string?> inputs, IReadOnlyDictionary<string, IReadOnlyList<string?>>? bodies)
    {
        string? Input(int i) => i < inputs.Count && i < node.Input.Count && node.Input[i].Length > 0 ? inputs[i] : null;
        bool HasInput(int i) => i < node.Input.Count && node.Input[i].Length > 0;

        switch (schema.Name)
        {
            case "Cast" when index == 0:
            case "BitCast" when index == 0:
                return FromDataTypeAttribute(node, "to", defaultType: null);
            case "Constant" when index == 0:
                return ConstantType(node);
            case "ConstantOfShape" when index == 0:
                return Attribute(node, "value") is { T: { } value }
                    ? (OnnxTypeStrings.Tensor(value.DataType), "attribute 'value'", true)
                    : (OnnxTypeStrings.Tensor((int)DataType.Float), "no attribute 'value' (float)", true);
            case "RandomNormal" or "RandomUniform" when index == 0:
                return FromDataTypeAttribute(node, "dtype", (int)DataType.Float);
            case "Multinomial" when index == 0:
                return FromDataTypeAttribute(node, "dtype", (int)DataType.Int32);
            case "RandomNormalLike" or "RandomUniformLike" or "EyeLike" or "Bernoulli" when index == 0:
                return Attribute(node, "dtype") is not null
                    ? FromDataTypeAttribute(node, "dtype", defaultType: null)
                    : (Input(0), $"no attribute 'dtype' (the type of input 0 '{InputName(node, 0)}')", false);
            case "HannWindow" or "HammingWindow" or "BlackmanWindow" or "MelWeightMatrix" when index == 0:
                return FromDataTypeAttribute(node, "output_datatype", (int)DataType.Float);
            case "SequenceEmpty" when index == 0:
                var element = FromDataTypeAttribute(node, "dtype", (int)DataType.Float);
                return (element.Type is null ? null : $"seq({element.Type})", element.Origin, true);
            case "DequantizeLinear" when index == 0 && schema.FindAttribute("output_dtype") is not null:
                return Attribute(node, "output_dtype") is { I: not 0 }
                    ? FromDataTypeAttribute(node, "output_dtype", defaultType: null)
                    : (Input(1), $"the type of input 1 '{InputName(node, 1)}'", false);
            case "QuantizeLinear" when index == 0:
                if (schema.FindAttribute("output_dtype") is not null && Attribute(node, "output_dtype") is { I: not 0 })
                {
                    return FromDataTypeAttribute(node, "output_dtype", defaultType: null);
                }

                return HasInput(2) ? null : (OnnxTypeStrings.Tensor((int)DataType.Uint8), "no input 'y_zero_point' (uint8)", false);
            case "SequenceConstruct" or "SplitToSequence" when index == 0:
                return (Input(0) is { } t ? $"seq({t})" : null, $"a sequence of input 0 '{InputName(node, 0)}'", false);
            case "SequenceAt" or "ConcatFromSequence" when index == 0:
                return (OnnxTypeStrings.SequenceElement(Input(0)), $"the element type of input 0 '{InputName(node, 0)}'", false);
            case "Optional" when index == 0:
                if (HasInput(0))
                {
                    return (Input(0) is { } v ? $"optional({v})" : null, $"an optional of input 0 '{InputName(node, 0)}'", false);
                }

                return (OnnxTypeStrings.FromTypeProto(Attribute(node, "type")?.Tp) is { } tp ? $"optional({tp})" : null, "attribute 'type'", true);
            case "OptionalGetElement" when index == 0:
                var input = Input(0);
                return (OnnxTypeStrings.OptionalElement(input) ?? input, $"the element type of input 0 '{InputName(node, 0)}'", false);
            case "If":
                return (BodyOutput(bodies, "then_branch", index) is { } then && BodyOutput(bodies, "else_branch", index) is { } @else
                    && string.Equals(then, @else, StringComparison.Ordinal) ? then : null, $"output {index} of the branches", false);
            case "Loop":
                // Body outputs: cond, then the loop-carried values, then the scan outputs (each a tensor of the same element type).
                return (BodyOutput(bodies, "body", index + 1) is { } loop && loop.StartsWith("tensor(", StringComparison.Ordinal) ? loop : null,
                    $"output {index + 1} of the body", false);
            case "Scan":
                return (BodyOutput(bodies, "body", index) is { } scan && scan.StartsWith("tensor(", StringComparison.Ordinal) ? scan : null,
                    $"output {index} of the body", false);
            default:
                return null;
        }
    }

    private static string? BodyOutput(IReadOnlyDictionary<string, IReadOnlyList<string?>>? bodies, string attribute, int index) =>
        bodies is not null && bodies.TryGetValue(attribute, out var types) && index < types.Count ? types[index] : null;

    private static string InputName(NodeProto node, int index) => index < node.Input.Count ? node.Input[index] : string.Empty;

    private static AttributeProto? Attribute(NodeProto node, string name)
    {
        foreach (var attribute in node.Attribute)
        {
            if (string.Equals(attribute.Name, name, StringComparison.Ordinal) && attribute.RefAttrName.Length == 0)
            {
                return attribute;
            }
        }

        return null;
    }

    private static (string? Type, string Origin, bool FromAttribute) FromDataTypeAttribute(NodeProto node, string name, int? defaultType)
    {
        var attribute = Attribute(node, name);
        if (attribute is null)
        {
            return defaultType is { } d
                ? (OnnxTypeStrings.Tensor(d), $"no attribute '{name}' ({OnnxTypeStrings.Tensor(d)})", true)
                : (null, $"attribute '{name}'", true);
        }

        // Cast-1 names the type as a string (e.g. "FLOAT"); every later version as a TensorProto.DataType value.
        if (attribute.Type == AttributeType.String)
        {
            var text = attribute.S.ToStringUtf8();
            return Enum.TryParse<DataType>(text, ignoreCase: true, out var parsed) && !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                ? (OnnxTypeStrings.Tensor((int)parsed), $"attribute '{name}' = {text}", true)
                : (null, $"attribute '{name}'", true);
        }

        if (attribute.Type != AttributeType.Int || attribute.I is < int.MinValue or > int.MaxValue)
        {
            return (null, $"attribute '{name}'", true);
        }

        return (OnnxTypeStrings.Tensor((int)attribute.I), $"attribute '{name}' = {attribute.I}", true);
    }

    private static (string? Type, string Origin, bool FromAttribute) ConstantType(NodeProto node)
    {
        foreach (var attribute in node.Attribute)
        {
            if (attribute.RefAttrName.Length > 0)
            {
                continue;
            }

            string? type = attribute.Name switch
            {
                "value" => attribute.T is { } t ? OnnxTypeStrings.Tensor(t.DataType) : null,
                "sparse_value" => attribute.SparseTensor?.Values is { } v ? OnnxTypeStrings.Tensor(v.DataType) : null,
                "value_float" or "value_floats" => OnnxTypeStrings.Tensor((int)DataType.Float),
                "value_int" or "value_ints" => OnnxTypeStrings.Tensor((int)DataType.Int64),
                "value_string" or "value_strings" => OnnxTypeStrings.Tensor((int)DataType.String),
                _ => null,
            };
            if (type is not null)
            {
                return (type, $"attribute '{attribute.Name}'", true);
            }
        }

        return (null, "its value attribute", true);
    }
}
