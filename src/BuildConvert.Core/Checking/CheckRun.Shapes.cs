using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Graphs.Inference;

namespace BuildConvert.Core.Checking;

// Shape rules (full check): the core's shape inference over a structurally valid model. Element-type disagreements are
// left to the schema type propagation (BCONV3160-3162); this reports ranks and dimensions only.
internal sealed partial class CheckRun
{
    private void CheckShapes(ModelProto model)
    {
        // The graph shares the proto's tensors; inference types the graph's values, never the proto. Declared types of
        // node outputs are set aside first, so that each declaration is judged against what the graph's inputs imply,
        // not against another declaration (one wrong value_info must not cascade into errors further down).
        var graph = OnnxGraphImporter.FromProto(model);
        var declared = new List<(Value Value, OnnxType Type)>();
        foreach (var g in graph.Graph.SelfAndDescendants())
        {
            foreach (var value in g.Values)
            {
                if (value.Producer is not null && value.Type is { } type)
                {
                    declared.Add((value, type));
                    value.Type = null;
                }
            }
        }

        var result = ShapeInference.Run(graph);
        foreach (var error in result.Errors)
        {
            Report(DiagnosticCodes.ShapesContradictOperator, $"{Where(error.Node)}{error.Node.Describe()}: {error.Reason}", Location(error.Node));
        }

        foreach (var (value, type) in declared)
        {
            var inferred = value.Type;
            if (inferred is null || type.Kind != inferred.Kind || (type.ElementType != inferred.ElementType
                && type.ElementType != TensorProto.Types.DataType.Undefined && inferred.ElementType != TensorProto.Types.DataType.Undefined))
            {
                // Nothing inferred, or a kind or element-type disagreement, which the schema type rules report (BCONV3162).
                continue;
            }

            var disagreements = new List<string>();
            ShapeInference.Merge(type, inferred, disagreements);
            if (disagreements.Count == 0)
            {
                continue;
            }

            var node = value.Producer!;
            var what = value.IsGraphOutput ? "graph output" : "value_info";
            Report(DiagnosticCodes.DeclaredShapeContradicted,
                $"{Where(node)}{node.Describe()}: {what} '{value.Name}' is declared {OnnxType.FormatShape(type.Shape)} but the operator produces {OnnxType.FormatShape(inferred.Shape)} ({string.Join("; ", disagreements)})",
                Location(node));
        }
    }

    private static string Where(Node node) =>
        node.Owner.Parent is null ? "" : $"in subgraph '{node.Owner.Name}', ";

    private static string? Location(Node node) => node.Name.Length > 0 ? $"node '{node.Name}'" : null;
}
