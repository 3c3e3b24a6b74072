using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using AttributeType = BuildConvert.Core.Formats.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace BuildConvert.Core.Checking;

// Node rules: op type, domain import, operator schema (arity, attributes), calls of model-local functions.
internal sealed partial class CheckRun
{
    /// <summary>Checks a node; returns the types of its outputs where the schema gives them, or null when it has no schema here.</summary>
    private IReadOnlyList<string?>? CheckNode(NodeProto node, BodyContext context, LexicalScope scope, string label)
    {
        if (node.OpType.Length == 0)
        {
            Report(DiagnosticCodes.NodeOpTypeMissing, $"{label} has no op_type", Describe(node));
        }

        if (node.Input.Count == 0 && node.Output.Count == 0)
        {
            Report(DiagnosticCodes.NodeWithoutInputsAndOutputs, $"{label} has neither inputs nor outputs", Describe(node));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var bodies = new Dictionary<string, IReadOnlyList<string?>>(StringComparer.Ordinal);
        foreach (var attribute in node.Attribute)
        {
            if (!seen.Add(attribute.Name))
            {
                Report(DiagnosticCodes.AttributeDuplicate, $"{label} has the attribute '{attribute.Name}' more than once", Describe(node));
            }

            CheckAttribute(attribute, node, context, scope, label, bodies);
        }

        var domain = NormalizeDomain(node.Domain);
        if (!context.Opsets.TryGetValue(domain, out var version))
        {
            var owner = context.Function is null ? "the model" : $"function '{context.Function.Name}'";
            Report(DiagnosticCodes.NodeDomainNotImported,
                $"{label} uses domain '{node.Domain}', which {owner} does not import in opset_import", Describe(node));
            return null;
        }

        if (node.OpType.Length == 0)
        {
            return null;
        }

        if (irVersion >= 8 && functions.TryGetValue((node.Domain, node.OpType, node.Overload), out var function))
        {
            CheckFunctionCall(node, function, label);
            return null;
        }

        var opset = (int)Math.Clamp(version, 0, int.MaxValue);
        var schema = registry.Find(domain, node.OpType, opset);
        if (schema is null)
        {
            if (registry.IsKnownDomain(domain))
            {
                var shownDomain = domain.Length == 0 ? "ai.onnx" : domain;
                Report(DiagnosticCodes.OperatorUnknown,
                    $"{label}: operator '{node.OpType}' does not exist in domain '{shownDomain}' at opset version {version}", Describe(node));
            }

            return null;
        }

        if (schema.Deprecated)
        {
            Report(DiagnosticCodes.OperatorDeprecated,
                $"{label}: operator '{node.OpType}' is deprecated in opset version {version} (since version {schema.SinceVersion})", Describe(node));
            return null;
        }

        VerifyAgainstSchema(node, schema, label);

        // Inside model-local functions the type variables are generic (bound per call), so bodies are not type-checked.
        return context.Function is null ? PropagateTypes(node, schema, scope, label, bodies) : null;
    }

    private void VerifyAgainstSchema(NodeProto node, OperatorSchema schema, string label)
    {
        var where = Describe(node);
        var version = $"{schema.Name}-{schema.SinceVersion}";
        if (node.Input.Count < schema.MinInputs)
        {
            Report(DiagnosticCodes.NodeTooFewInputs, $"{label} has {node.Input.Count} inputs; {version} needs at least {schema.MinInputs}", where);
        }
        else if (node.Input.Count > schema.MaxInputs)
        {
            Report(DiagnosticCodes.NodeTooManyInputs, $"{label} has {node.Input.Count} inputs; {version} accepts at most {schema.MaxInputs}", where);
        }

        if (node.Output.Count < schema.MinOutputs)
        {
            Report(DiagnosticCodes.NodeTooFewOutputs, $"{label} has {node.Output.Count} outputs; {version} needs at least {schema.MinOutputs}", where);
        }
        else if (node.Output.Count > schema.MaxOutputs)
        {
            Report(DiagnosticCodes.NodeTooManyOutputs, $"{label} has {node.Output.Count} outputs; {version} declares at most {schema.MaxOutputs}", where);
        }

        for (var i = 0; i < node.Input.Count && i < schema.Inputs.Count; i++)
        {
            if (node.Input[i].Length == 0 && schema.Inputs[i].Option == FormalParameterOption.Single)
            {
                Report(DiagnosticCodes.RequiredInputEmpty,
                    $"{label}: input {i} ('{schema.Inputs[i].Name}') is required but given as an empty name", where);
            }
        }

        for (var i = 0; i < node.Output.Count && i < schema.Outputs.Count; i++)
        {
            if (node.Output[i].Length == 0 && schema.Outputs[i].Option == FormalParameterOption.Single)
            {
                Report(DiagnosticCodes.RequiredOutputEmpty,
                    $"{label}: output {i} ('{schema.Outputs[i].Name}') is required but given as an empty name", where);
            }
        }

        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var attribute in node.Attribute)
        {
            present.Add(attribute.Name);
            if (attribute.Name.StartsWith("__", StringComparison.Ordinal))
            {
                continue;
            }

            var declared = FindAttribute(schema, attribute.Name);
            if (declared is null)
            {
                Report(DiagnosticCodes.AttributeUnknown,
                    $"{label}, attribute '{attribute.Name}': {version} has no such attribute", where);
                continue;
            }

            if (attribute.Type != declared.Type)
            {
                Report(DiagnosticCodes.AttributeTypeWrong,
                    $"{label}, attribute '{attribute.Name}': expected type {declared.Type.ToString().ToUpperInvariant()}, found {attribute.Type.ToString().ToUpperInvariant()}", where);
                continue;
            }

            if (attribute.RefAttrName.Length > 0)
            {
                continue;
            }

            var missing = declared.Type switch
            {
                AttributeType.Tensor => attribute.T is null ? "t" : null,
                AttributeType.SparseTensor => attribute.SparseTensor is null ? "sparse_tensor" : null,
                AttributeType.Graph => attribute.G is null ? "g" : null,
                AttributeType.TypeProto => attribute.Tp is null ? "tp" : null,
                _ => null,
            };
            if (missing is not null)
            {
                Report(DiagnosticCodes.AttributeValueMissing,
                    $"{label}, attribute '{attribute.Name}' of type {declared.Type.ToString().ToUpperInvariant()} has no value in field '{missing}'", where);
            }
        }

        foreach (var declared in schema.Attributes)
        {
            if (declared.Required && !present.Contains(declared.Name))
            {
                Report(DiagnosticCodes.AttributeRequiredMissing, $"{label}: required attribute '{declared.Name}' of {version} is missing", where);
            }
        }
    }

    private static AttributeSchema? FindAttribute(OperatorSchema schema, string name)
    {
        foreach (var attribute in schema.Attributes)
        {
            if (string.Equals(attribute.Name, name, StringComparison.Ordinal))
            {
                return attribute;
            }
        }

        return null;
    }
}
