using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Checking;

// Type propagation through nodes (SchemaTypeInference): type-constraint violations, one type variable bound to different
// types, declared output / value_info types that contradict the operator; the implied input types of Loop and Scan bodies.
internal sealed partial class CheckRun
{
    private IReadOnlyList<string?> PropagateTypes(
        NodeProto node, OperatorSchema schema, LexicalScope scope, string label, IReadOnlyDictionary<string, IReadOnlyList<string?>> bodies)
    {
        var inputs = new string?[node.Input.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i] = node.Input[i].Length > 0 ? scope.TypeOf(node.Input[i]) : null;
        }

        var declared = new string?[node.Output.Count];
        for (var j = 0; j < declared.Length; j++)
        {
            declared[j] = node.Output[j].Length > 0 ? scope.DeclaredType(node.Output[j])?.Type : null;
        }

        var result = SchemaTypeInference.Infer(schema, node, inputs, declared, bodies);
        var where = Describe(node);
        var version = $"{schema.Name}-{schema.SinceVersion}";
        foreach (var violation in result.Violations)
        {
            switch (violation)
            {
                case TypeNotAllowed v:
                    var what = v.IsOutput ? $"output {v.Index} '{node.Output[v.Index]}'" : $"input {v.Index} '{node.Input[v.Index]}'";
                    var origin = v.Origin is null ? string.Empty : $" ({v.Origin})";
                    var rule = v.Constraint is null
                        ? $"{version} requires {v.Allowed[0]} for '{v.Formal.Name}'"
                        : $"type {v.Constraint.Name} of {version} allows {string.Join(", ", v.Allowed)}";
                    Report(DiagnosticCodes.TypeConstraintViolated, $"{label}: {what} is {v.ActualType}{origin} but {rule}", where);
                    break;
                case TypeVariableConflict v:
                    Report(DiagnosticCodes.TypeVariableBoundToDifferentTypes,
                        $"{label}: input {v.Index} '{node.Input[v.Index]}' is {v.ActualType} but type {v.Constraint.Name} of {version} is already bound to {v.FirstType} by input {v.FirstIndex} '{node.Input[v.FirstIndex]}'",
                        where);
                    break;
                case DeclaredTypeContradiction v:
                    var name = node.Output[v.Index];
                    var source = scope.DeclaredType(name)?.Source ?? "declared";
                    Report(DiagnosticCodes.DeclaredTypeContradicted,
                        $"{label}: output {v.Index} '{name}' is declared {v.DeclaredType} ({source}) but {version} produces {v.InferredType} ({v.Origin})",
                        where);
                    break;
            }
        }

        return result.OutputTypes;
    }

    /// <summary>
    /// The types a Loop or Scan node gives its body's inputs (used where the body leaves them untyped, which ONNX allows):
    /// Loop: iteration count tensor(int64), condition tensor(bool), then the loop-carried values' types; Scan: the state
    /// and scan inputs' types (a scan input's slice has the same element type). Null for any other attribute.
    /// </summary>
    private static IReadOnlyList<string?>? ImpliedBodyInputTypes(NodeProto node, string attribute, BodyContext context, LexicalScope scope)
    {
        if (context.Function is not null || attribute != "body" || NormalizeDomain(node.Domain).Length != 0)
        {
            return null;
        }

        string? TypeOfInput(int i) => i < node.Input.Count && node.Input[i].Length > 0 ? scope.TypeOf(node.Input[i]) : null;
        switch (node.OpType)
        {
            case "Loop":
                var loop = new List<string?> { OnnxTypeStrings.Tensor((int)TensorProto.Types.DataType.Int64), OnnxTypeStrings.Tensor((int)TensorProto.Types.DataType.Bool) };
                for (var i = 2; i < node.Input.Count; i++)
                {
                    loop.Add(TypeOfInput(i));
                }

                return loop;
            case "Scan":
                // Scan-8 has a leading sequence_lens input that the body does not see.
                var first = context.Opsets.TryGetValue(string.Empty, out var opset) && opset < 9 ? 1 : 0;
                var scan = new List<string?>();
                for (var i = first; i < node.Input.Count; i++)
                {
                    scan.Add(TypeOfInput(i));
                }

                return scan;
            default:
                return null;
        }
    }
}
