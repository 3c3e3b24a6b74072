using BuildConvert.Core.Formats.Onnx.Proto;
using AttributeType = BuildConvert.Core.Formats.Onnx.Proto.AttributeProto.Types.AttributeType;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Graphs;

/// <summary>
/// Turns a parsed <see cref="ModelProto"/> into a <see cref="Model"/>. Tensors keep referring to the proto's buffers
/// (nothing is copied), so the proto must not change afterwards. Models that break SSA or refer to names nothing
/// defines are still imported (dangling names become values without producer), so that a faithful round trip is
/// possible; judging such models is the checker's job.
/// </summary>
public static class OnnxGraphImporter
{
    /// <summary>Imports <paramref name="proto"/>.</summary>
    public static Model FromProto(ModelProto proto)
    {
        ArgumentNullException.ThrowIfNull(proto);
        var model = new Model(0, proto.IrVersion)
        {
            ProducerName = proto.ProducerName,
            ProducerVersion = proto.ProducerVersion,
            Domain = proto.Domain,
            ModelVersion = proto.ModelVersion,
            DocString = NullIfEmpty(proto.DocString),
        };
        foreach (var opset in proto.OpsetImport)
        {
            model.SetOpset(opset.Domain, opset.Version);
        }

        model.MetadataProps.AddRange(proto.MetadataProps);
        model.Functions.AddRange(proto.Functions);
        model.TrainingInfo.AddRange(proto.TrainingInfo);
        model.Configurations.AddRange(proto.Configuration);
        if (proto.Graph is { } graph)
        {
            ImportGraph(graph, model.Graph);
        }

        return model;
    }

    /// <summary>Converts a <see cref="TypeProto"/>; null when it sets no type.</summary>
    public static OnnxType? ToType(TypeProto? proto)
    {
        if (proto is null)
        {
            return null;
        }

        OnnxType? type = proto.ValueCase switch
        {
            TypeProto.ValueOneofCase.TensorType => OnnxType.Tensor((DataType)proto.TensorType.ElemType, ToShape(proto.TensorType.Shape)),
            TypeProto.ValueOneofCase.SparseTensorType => OnnxType.Sparse((DataType)proto.SparseTensorType.ElemType, ToShape(proto.SparseTensorType.Shape)),
            TypeProto.ValueOneofCase.SequenceType => OnnxType.Sequence(ToType(proto.SequenceType.ElemType)),
            TypeProto.ValueOneofCase.OptionalType => OnnxType.Optional(ToType(proto.OptionalType.ElemType)),
            TypeProto.ValueOneofCase.MapType => OnnxType.Map((DataType)proto.MapType.KeyType, ToType(proto.MapType.ValueType)),
            TypeProto.ValueOneofCase.OpaqueType => OnnxType.Opaque(proto.OpaqueType.Domain, proto.OpaqueType.Name),
            _ => null,
        };
        return type is not null && proto.Denotation.Length > 0 ? type with { Denotation = proto.Denotation } : type;
    }

    private static Dim[]? ToShape(TensorShapeProto? shape) =>
        shape?.Dim.Select(d =>
        {
            var denotation = NullIfEmpty(d.Denotation);
            return d.ValueCase switch
            {
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => new Dim(d.DimValue, null, denotation),
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => new Dim(null, d.DimParam, denotation),
                _ => new Dim(null, null, denotation),
            };
        }).ToArray();

    private static void ImportGraph(GraphProto proto, Graph graph)
    {
        graph.Name = proto.Name;
        graph.DocString = NullIfEmpty(proto.DocString);
        graph.MetadataProps.AddRange(proto.MetadataProps);
        graph.SparseInitializers.AddRange(proto.SparseInitializer);
        graph.QuantizationAnnotations.AddRange(proto.QuantizationAnnotation);

        foreach (var input in proto.Input)
        {
            var value = graph.FindLocal(input.Name) ?? graph.DefineExact(input.Name);
            ApplyInfo(value, input);
            graph.Inputs.Add(value);
        }

        foreach (var initializer in proto.Initializer)
        {
            var value = graph.FindLocal(initializer.Name) ?? graph.DefineExact(initializer.Name);
            var data = TensorData.FromProto(initializer);
            value.Initializer = data;
            value.Type ??= OnnxType.Tensor(data.ElementType, data.Dims.Select(Dim.Of).ToArray());
            graph.Initializers.Add(value);
        }

        // Node outputs are defined before any node is read, so that reads of later-defined values (an unsorted model)
        // and reads from nested subgraphs resolve to the same value objects.
        var defined = new List<Value?[]>(proto.Node.Count);
        foreach (var node in proto.Node)
        {
            var outputs = new Value?[node.Output.Count];
            for (var i = 0; i < node.Output.Count; i++)
            {
                var name = node.Output[i];
                if (name.Length == 0)
                {
                    continue;
                }

                var existing = graph.FindLocal(name);
                outputs[i] = existing is null || existing.Producer is not null || existing.IsInitializer || existing.IsGraphInput
                    ? graph.NewValue(name)
                    : existing;
            }

            defined.Add(outputs);
        }

        for (var n = 0; n < proto.Node.Count; n++)
        {
            var nodeProto = proto.Node[n];
            var node = graph.CreateNode(nodeProto.OpType, nodeProto.Domain, nodeProto.Name, before: null);
            node.DocString = NullIfEmpty(nodeProto.DocString);
            node.Overload = NullIfEmpty(nodeProto.Overload);
            foreach (var m in nodeProto.MetadataProps)
            {
                node.MetadataProps.Add(m);
            }

            foreach (var d in nodeProto.DeviceConfigurations)
            {
                node.DeviceConfigurations.Add(d);
            }

            foreach (var output in defined[n])
            {
                node.AttachOutput(output);
            }

            foreach (var attribute in nodeProto.Attribute)
            {
                node.SetAttributeImported(ToAttribute(attribute, graph));
            }

            foreach (var input in nodeProto.Input)
            {
                node.AddInput(input.Length == 0 ? null : Resolve(graph, input));
            }
        }

        foreach (var info in proto.ValueInfo)
        {
            var value = graph.FindLocal(info.Name);
            if (value is null)
            {
                graph.UnmatchedValueInfo.Add(info);
                continue;
            }

            ApplyInfo(value, info);
            value.HasValueInfo = true;
            graph.ValueInfoOrder.Add(value);
        }

        foreach (var output in proto.Output)
        {
            var value = Resolve(graph, output.Name);
            if (value.Type is null || !value.IsGraphInput)
            {
                ApplyInfo(value, output);
            }

            graph.Outputs.Add(value);
        }
    }

    private static Value Resolve(Graph graph, string name) => graph.Find(name) ?? graph.DefineExact(name);

    private static void ApplyInfo(Value value, ValueInfoProto info)
    {
        value.Type = ToType(info.Type) ?? value.Type;
        value.DocString = NullIfEmpty(info.DocString) ?? value.DocString;
        if (value.MetadataProps.Count == 0)
        {
            foreach (var m in info.MetadataProps)
            {
                value.MetadataProps.Add(m);
            }
        }
    }

    private static NodeAttribute ToAttribute(AttributeProto a, Graph owner)
    {
        var type = a.Type != AttributeType.Undefined ? a.Type : InferType(a);
        NodeAttribute result;
        if (a.RefAttrName.Length > 0)
        {
            result = NodeAttribute.Reference(a.Name, type, a.RefAttrName);
        }
        else
        {
            result = type switch
            {
                AttributeType.Float => NodeAttribute.Of(a.Name, a.F),
                AttributeType.Int => NodeAttribute.Of(a.Name, a.I),
                AttributeType.String => NodeAttribute.OfBytes(a.Name, a.S.ToByteArray()),
                AttributeType.Tensor => NodeAttribute.Of(a.Name, TensorData.FromProto(a.T ?? new TensorProto())),
                AttributeType.Graph => NodeAttribute.Of(a.Name, Subgraph(a.G ?? new GraphProto(), owner)),
                AttributeType.Floats => NodeAttribute.Of(a.Name, (IEnumerable<float>)a.Floats),
                AttributeType.Ints => NodeAttribute.Of(a.Name, (IEnumerable<long>)a.Ints),
                AttributeType.Strings => NodeAttribute.OfByteStrings(a.Name, a.Strings.Select(s => s.ToByteArray())),
                AttributeType.Tensors => NodeAttribute.Of(a.Name, a.Tensors.Select(TensorData.FromProto)),
                AttributeType.Graphs => NodeAttribute.Of(a.Name, a.Graphs.Select(g => Subgraph(g, owner))),
                AttributeType.TypeProto => NodeAttribute.Of(a.Name, ToType(a.Tp) ?? OnnxType.Tensor(DataType.Undefined)),
                AttributeType.TypeProtos => NodeAttribute.Of(a.Name, a.TypeProtos.Select(t => ToType(t) ?? OnnxType.Tensor(DataType.Undefined))),
                AttributeType.SparseTensor => NodeAttribute.Of(a.Name, a.SparseTensor ?? new SparseTensorProto()),
                AttributeType.SparseTensors => NodeAttribute.Of(a.Name, (IEnumerable<SparseTensorProto>)a.SparseTensors),
                _ => NodeAttribute.Reference(a.Name, AttributeType.Undefined, ""),
            };
        }

        return a.DocString.Length > 0 ? result with { DocString = a.DocString } : result;
    }

    private static Graph Subgraph(GraphProto proto, Graph owner)
    {
        var sub = owner.CreateSubgraph(proto.Name);
        ImportGraph(proto, sub);
        return sub;
    }

    /// <summary>IR version 1 attributes may omit their type; infer it from the one payload that is set.</summary>
    private static AttributeType InferType(AttributeProto a)
    {
        if (a.Floats.Count > 0) return AttributeType.Floats;
        if (a.Ints.Count > 0) return AttributeType.Ints;
        if (a.Strings.Count > 0) return AttributeType.Strings;
        if (a.Tensors.Count > 0) return AttributeType.Tensors;
        if (a.Graphs.Count > 0) return AttributeType.Graphs;
        if (a.T is not null) return AttributeType.Tensor;
        if (a.G is not null) return AttributeType.Graph;
        if (a.Tp is not null) return AttributeType.TypeProto;
        if (a.SparseTensor is not null) return AttributeType.SparseTensor;
        if (!a.S.IsEmpty) return AttributeType.String;
        if (a.I != 0) return AttributeType.Int;
        return a.F != 0 ? AttributeType.Float : AttributeType.Undefined;
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
