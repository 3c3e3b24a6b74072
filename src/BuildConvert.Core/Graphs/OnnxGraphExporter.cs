using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;
using AttributeType = BuildConvert.Core.Formats.Onnx.Proto.AttributeProto.Types.AttributeType;

namespace BuildConvert.Core.Graphs;

/// <summary>Which value types the exporter writes as value_info.</summary>
public enum ValueInfoExport
{
    /// <summary>Only values the source declared (the default: a round trip keeps value_info as it was).</summary>
    Declared,

    /// <summary>Every intermediate value with a known type (declared or inferred).</summary>
    AllKnown,

    /// <summary>None.</summary>
    None,
}

/// <summary>
/// Turns a <see cref="Model"/> into a <see cref="ModelProto"/> for the writer and the checker. Tensor bytes are
/// shared with the model, not copied (the protos refer to the same immutable buffers), so exporting a 1 GB model
/// costs next to no memory; the writer then streams the bytes to the file once.
/// </summary>
public static class OnnxGraphExporter
{
    /// <summary>Exports <paramref name="model"/>.</summary>
    public static ModelProto ToProto(Model model, ValueInfoExport valueInfo = ValueInfoExport.Declared)
    {
        ArgumentNullException.ThrowIfNull(model);
        var proto = new ModelProto
        {
            IrVersion = model.IrVersion,
            ProducerName = model.ProducerName,
            ProducerVersion = model.ProducerVersion,
            Domain = model.Domain,
            ModelVersion = model.ModelVersion,
            DocString = model.DocString ?? "",
            Graph = ExportGraph(model.Graph, valueInfo),
        };
        foreach (var (domain, version) in model.Opsets)
        {
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        }

        proto.MetadataProps.AddRange(model.MetadataProps);
        proto.Functions.AddRange(model.Functions);
        proto.TrainingInfo.AddRange(model.TrainingInfo);
        proto.Configuration.AddRange(model.Configurations);
        return proto;
    }

    /// <summary>Converts a type; null gives null.</summary>
    public static TypeProto? ToTypeProto(OnnxType? type)
    {
        if (type is null)
        {
            return null;
        }

        var proto = new TypeProto();
        switch (type.Kind)
        {
            case OnnxTypeKind.Tensor:
                proto.TensorType = new TypeProto.Types.Tensor { ElemType = (int)type.ElementType, Shape = ToShapeProto(type.Shape) };
                break;
            case OnnxTypeKind.SparseTensor:
                proto.SparseTensorType = new TypeProto.Types.SparseTensor { ElemType = (int)type.ElementType, Shape = ToShapeProto(type.Shape) };
                break;
            case OnnxTypeKind.Sequence:
                proto.SequenceType = new TypeProto.Types.Sequence { ElemType = ToTypeProto(type.Element) };
                break;
            case OnnxTypeKind.Optional:
                proto.OptionalType = new TypeProto.Types.Optional { ElemType = ToTypeProto(type.Element) };
                break;
            case OnnxTypeKind.Map:
                proto.MapType = new TypeProto.Types.Map { KeyType = (int)type.ElementType, ValueType = ToTypeProto(type.Element) };
                break;
            default:
                proto.OpaqueType = new TypeProto.Types.Opaque { Domain = type.OpaqueDomain ?? "", Name = type.OpaqueName ?? "" };
                break;
        }

        proto.Denotation = type.Denotation ?? "";
        return proto;
    }

    /// <summary>A value_info entry for <paramref name="value"/>.</summary>
    public static ValueInfoProto ToValueInfo(Value value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var info = new ValueInfoProto { Name = value.Name, Type = ToTypeProto(value.Type), DocString = value.DocString ?? "" };
        info.MetadataProps.AddRange(value.MetadataProps);
        return info;
    }

    private static TensorShapeProto? ToShapeProto(IReadOnlyList<Dim>? shape)
    {
        if (shape is null)
        {
            return null;
        }

        var proto = new TensorShapeProto();
        foreach (var d in shape)
        {
            var dim = new TensorShapeProto.Types.Dimension { Denotation = d.Denotation ?? "" };
            if (d.Value is { } v)
            {
                dim.DimValue = v;
            }
            else if (d.Symbol is { } s)
            {
                dim.DimParam = s;
            }

            proto.Dim.Add(dim);
        }

        return proto;
    }

    private static GraphProto ExportGraph(Graph graph, ValueInfoExport valueInfo)
    {
        var proto = new GraphProto { Name = graph.Name, DocString = graph.DocString ?? "" };
        foreach (var node in graph.Nodes)
        {
            proto.Node.Add(ExportNode(node, valueInfo));
        }

        foreach (var initializer in graph.Initializers)
        {
            proto.Initializer.Add(initializer.Initializer!.ToProto(initializer.Name));
        }

        proto.SparseInitializer.AddRange(graph.SparseInitializers);
        foreach (var input in graph.Inputs)
        {
            proto.Input.Add(ToValueInfo(input));
        }

        foreach (var output in graph.Outputs)
        {
            proto.Output.Add(ToValueInfo(output));
        }

        if (valueInfo != ValueInfoExport.None)
        {
            var written = new HashSet<Value>(ReferenceEqualityComparer.Instance);
            foreach (var value in graph.ValueInfoOrder)
            {
                if (graph.Defines(value) && value.HasValueInfo && written.Add(value))
                {
                    proto.ValueInfo.Add(ToValueInfo(value));
                }
            }

            foreach (var node in graph.Nodes)
            {
                foreach (var output in node.Outputs)
                {
                    if (output is null || written.Contains(output) || output.Type is null || output.IsGraphOutput)
                    {
                        continue;
                    }

                    if (output.HasValueInfo || valueInfo == ValueInfoExport.AllKnown)
                    {
                        written.Add(output);
                        proto.ValueInfo.Add(ToValueInfo(output));
                    }
                }
            }

            proto.ValueInfo.AddRange(graph.UnmatchedValueInfo);
        }

        proto.QuantizationAnnotation.AddRange(graph.QuantizationAnnotations);
        proto.MetadataProps.AddRange(graph.MetadataProps);
        return proto;
    }

    private static NodeProto ExportNode(Node node, ValueInfoExport valueInfo)
    {
        var proto = new NodeProto
        {
            OpType = node.OpType,
            Domain = node.Domain,
            Name = node.Name,
            DocString = node.DocString ?? "",
            Overload = node.Overload ?? "",
        };
        foreach (var input in node.Inputs)
        {
            proto.Input.Add(input?.Name ?? "");
        }

        foreach (var output in node.Outputs)
        {
            proto.Output.Add(output?.Name ?? "");
        }

        foreach (var attribute in node.Attributes)
        {
            proto.Attribute.Add(ExportAttribute(attribute, valueInfo));
        }

        proto.MetadataProps.AddRange(node.MetadataProps);
        proto.DeviceConfigurations.AddRange(node.DeviceConfigurations);
        return proto;
    }

    private static AttributeProto ExportAttribute(NodeAttribute a, ValueInfoExport valueInfo)
    {
        var proto = new AttributeProto { Name = a.Name, Type = a.Type, DocString = a.DocString ?? "", RefAttrName = a.RefAttrName ?? "" };
        if (a.RefAttrName is not null)
        {
            return proto;
        }

        switch (a.Type)
        {
            case AttributeType.Float: proto.F = a.Float; break;
            case AttributeType.Int: proto.I = a.Int; break;
            case AttributeType.String: proto.S = UnsafeByteOperations.UnsafeWrap(a.Bytes ?? Array.Empty<byte>()); break;
            case AttributeType.Tensor: proto.T = a.Tensor!.ToProto(a.Tensor.SourceName); break;
            case AttributeType.Graph: proto.G = ExportGraph(a.Graph!, valueInfo); break;
            case AttributeType.Floats: proto.Floats.AddRange(a.Floats); break;
            case AttributeType.Ints: proto.Ints.AddRange(a.Ints); break;
            case AttributeType.Strings: proto.Strings.AddRange(a.StringList.Select(s => UnsafeByteOperations.UnsafeWrap(s))); break;
            case AttributeType.Tensors: proto.Tensors.AddRange(a.Tensors.Select(t => t.ToProto(t.SourceName))); break;
            case AttributeType.Graphs: proto.Graphs.AddRange(a.Graphs.Select(g => ExportGraph(g, valueInfo))); break;
            case AttributeType.TypeProto: proto.Tp = ToTypeProto(a.TypeValue); break;
            case AttributeType.TypeProtos: proto.TypeProtos.AddRange(a.TypeValues.Select(t => ToTypeProto(t))); break;
            case AttributeType.SparseTensor: proto.SparseTensor = a.SparseTensor; break;
            case AttributeType.SparseTensors: proto.SparseTensors.AddRange(a.SparseTensors); break;
        }

        return proto;
    }
}
