using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using AttributeType = BuildConvert.Core.Formats.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace BuildConvert.Core.Checking;

// Attribute well-formedness (independent of any schema): name, type, one value field, references; nested values.
internal sealed partial class CheckRun
{
    private void CheckAttribute(
        AttributeProto attribute, NodeProto node, BodyContext context, LexicalScope scope, string label, Dictionary<string, IReadOnlyList<string?>> bodies)
    {
        var where = Describe(node);
        var name = attribute.Name;
        var attributeLabel = $"{label}, attribute '{name}'";
        if (name.Length == 0)
        {
            Report(DiagnosticCodes.AttributeNameMissing, $"{label} has an attribute without a name", where);
        }

        if (irVersion >= 2 && attribute.Type == AttributeType.Undefined)
        {
            Report(DiagnosticCodes.AttributeTypeMissing, $"{attributeLabel} has no type", where);
        }

        var used = new List<(string Field, AttributeType Type)>(1);
        if (attribute.F != 0)
        {
            used.Add(("f", AttributeType.Float));
        }

        if (attribute.I != 0)
        {
            used.Add(("i", AttributeType.Int));
        }

        if (!attribute.S.IsEmpty)
        {
            used.Add(("s", AttributeType.String));
        }

        if (attribute.T is not null)
        {
            used.Add(("t", AttributeType.Tensor));
        }

        if (attribute.G is not null)
        {
            used.Add(("g", AttributeType.Graph));
        }

        if (attribute.Tp is not null)
        {
            used.Add(("tp", AttributeType.TypeProto));
        }

        if (attribute.SparseTensor is not null)
        {
            used.Add(("sparse_tensor", AttributeType.SparseTensor));
        }

        if (attribute.Floats.Count > 0)
        {
            used.Add(("floats", AttributeType.Floats));
        }

        if (attribute.Ints.Count > 0)
        {
            used.Add(("ints", AttributeType.Ints));
        }

        if (attribute.Strings.Count > 0)
        {
            used.Add(("strings", AttributeType.Strings));
        }

        if (attribute.Tensors.Count > 0)
        {
            used.Add(("tensors", AttributeType.Tensors));
        }

        if (attribute.Graphs.Count > 0)
        {
            used.Add(("graphs", AttributeType.Graphs));
        }

        if (attribute.SparseTensors.Count > 0)
        {
            used.Add(("sparse_tensors", AttributeType.SparseTensors));
        }

        if (attribute.TypeProtos.Count > 0)
        {
            used.Add(("type_protos", AttributeType.TypeProtos));
        }

        if (used.Count > 1)
        {
            Report(DiagnosticCodes.AttributeMultipleValues,
                $"{attributeLabel} sets more than one value field ({string.Join(", ", used.Select(u => u.Field))})", where);
        }
        else if (used.Count == 1 && attribute.Type != AttributeType.Undefined && used[0].Type != attribute.Type)
        {
            Report(DiagnosticCodes.AttributeValueTypeMismatch,
                $"{attributeLabel} has type {attribute.Type.ToString().ToUpperInvariant()} but its value is in field '{used[0].Field}'", where);
        }

        if (attribute.RefAttrName.Length > 0)
        {
            if (context.Function is null)
            {
                Report(DiagnosticCodes.AttributeReferenceOutsideFunction,
                    $"{attributeLabel} refers to '{attribute.RefAttrName}' (ref_attr_name), which is only allowed inside a function", where);
            }
            else if (used.Count > 0)
            {
                Report(DiagnosticCodes.AttributeReferenceWithValue,
                    $"{attributeLabel} refers to '{attribute.RefAttrName}' but also has a value", where);
            }
            else if (!FunctionDeclaresAttribute(context.Function, attribute.RefAttrName))
            {
                Report(DiagnosticCodes.AttributeReferenceUnknown,
                    $"{attributeLabel} refers to '{attribute.RefAttrName}', which function '{context.Function.Name}' does not declare", where);
            }
        }

        if (attribute.T is not null)
        {
            CheckTensor(attribute.T, $"tensor of {attributeLabel}");
        }

        foreach (var tensor in attribute.Tensors)
        {
            CheckTensor(tensor, $"tensor of {attributeLabel}");
        }

        if (attribute.SparseTensor is not null)
        {
            CheckSparseTensor(attribute.SparseTensor, $"sparse tensor of {attributeLabel}");
        }

        foreach (var sparse in attribute.SparseTensors)
        {
            CheckSparseTensor(sparse, $"sparse tensor of {attributeLabel}");
        }

        if (attribute.G is not null)
        {
            var outputTypes = CheckGraph(attribute.G, context.Subgraph(attribute.G.Name, name, Describe(node)), scope, ImpliedBodyInputTypes(node, name, context, scope));
            bodies.TryAdd(name, outputTypes);
        }

        foreach (var graph in attribute.Graphs)
        {
            CheckGraph(graph, context.Subgraph(graph.Name, name, Describe(node)), scope);
        }
    }

    private static bool FunctionDeclaresAttribute(FunctionProto function, string name)
    {
        foreach (var declared in function.Attribute)
        {
            if (declared == name)
            {
                return true;
            }
        }

        foreach (var declared in function.AttributeProto)
        {
            if (declared.Name == name)
            {
                return true;
            }
        }

        return false;
    }
}
