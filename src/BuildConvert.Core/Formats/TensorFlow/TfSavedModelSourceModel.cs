using BuildConvert.Core.Converters.TensorFlow;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.TensorFlow.Bundle;
using BuildConvert.Core.Formats.TensorFlow.Proto;
using BuildConvert.Core.Graphs;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Core.Formats.TensorFlow;

/// <summary>A SavedModel's chosen MetaGraph as read; variables are read from the bundle when a graph is built.</summary>
public sealed class TfSavedModelSourceModel : TfSourceModel
{
    private readonly string variablesPrefix;

    internal TfSavedModelSourceModel(string sourcePath, string baseDirectory, MetaGraphDef metaGraph, GraphDef graph, TfReadOptions readOptions, string variablesPrefix)
        : base(sourcePath, baseDirectory, TfSavedModelFormat.FormatName, graph, readOptions)
    {
        MetaGraph = metaGraph;
        this.variablesPrefix = variablesPrefix;
    }

    /// <summary>The MetaGraph read (tagged serve, or the only one).</summary>
    public MetaGraphDef MetaGraph { get; }

    /// <summary>The signature keys, in ordinal order (internal ones such as <c>__saved_model_init_op</c> left out).</summary>
    public IReadOnlyList<string> SignatureKeys =>
        MetaGraph.SignatureDef.Keys.Where(k => !k.StartsWith("__", StringComparison.Ordinal)).OrderBy(k => k, StringComparer.Ordinal).ToArray();

    /// <inheritdoc />
    public override TfGraph BuildGraph(ConversionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var named = options.Get(TfSavedModelFormat.Signature) as string;
        var key = string.IsNullOrWhiteSpace(named) ? TfSavedModelFormat.DefaultSignature : named.Trim();
        if (!MetaGraph.SignatureDef.TryGetValue(key, out var signature))
        {
            throw BuildConvertException.Create(DiagnosticCodes.TfSignatureNotFound,
                $"SavedModel '{SourcePath}' has no signature '{key}'{(named is null ? " (the default; name one with --signature / Signature)" : "")}; its signatures are: {(SignatureKeys.Count == 0 ? "(none)" : string.Join(", ", SignatureKeys))}",
                SourcePath);
        }

        var inputs = Endpoints(signature.Inputs, options.Inputs, key, "input", "--inputs / Inputs", requireAll: true);
        var outputs = Endpoints(signature.Outputs, options.Outputs, key, "output", "--outputs / Outputs", requireAll: false);
        var opDefs = new Dictionary<string, OpDef>(StringComparer.Ordinal);
        foreach (var op in MetaGraph.MetaInfoDef?.StrippedOpList?.Op ?? Enumerable.Empty<OpDef>())
        {
            opDefs[op.Name] = op;
        }

        var variables = new SavedModelVariables(this, variablesPrefix);
        return new TfGraphBuilder(Graph, opDefs, ReadOptions, SourcePath).Build(inputs, outputs, options.InputShapes.Select(x => new TfShapeOverride(x.Name, x.Position, x.Dimensions)).ToArray(), variables);
    }

    /// <inheritdoc />
    public override ModelSummary Summarize()
    {
        var signatures = SignatureKeys.Select(k =>
        {
            var s = MetaGraph.SignatureDef[k];
            return new SignatureSummary(k, s.MethodName, Describe(s.Inputs), Describe(s.Outputs));
        }).ToArray();
        var chosen = signatures.FirstOrDefault(s => s.Key == TfSavedModelFormat.DefaultSignature);
        long parameters = 0, bytes = 0;
        var count = 0;
        try
        {
            if (File.Exists(variablesPrefix + ".index"))
            {
                var bundle = TensorBundle.Open(variablesPrefix, ReadOptions);
                foreach (var k in bundle.Keys)
                {
                    var entry = bundle.Entry(k)!;
                    if (k == TensorBundle.ObjectGraphKey || entry.Shape is null)
                    {
                        continue;
                    }

                    count++;
                    parameters += entry.Shape.Dim.Aggregate(1L, (a, d) => a * Math.Max(d.Size, 0));
                    bytes += entry.Slices.Count == 0 ? entry.Size : 0;
                }
            }
        }
        catch (BuildConvertException)
        {
            // inspect still shows the graph when the bundle is damaged; conversion reports the damage.
        }

        return new ModelSummary(0, "tensorflow", MetaGraph.MetaInfoDef?.TensorflowVersion ?? "", Array.Empty<OpsetSummary>(),
            chosen?.Inputs ?? Array.Empty<ValueSummary>(), chosen?.Outputs ?? Array.Empty<ValueSummary>(), OpHistogram(),
            Graph.Node.Count, Graph.Library?.Function.Count ?? 0, count, parameters, bytes, 0)
        {
            Signatures = signatures,
        };
    }

    private static IReadOnlyList<ValueSummary> Describe(IDictionary<string, TensorInfo> map) =>
        map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => Describe(kv.Key, kv.Value.Dtype, TfNodes.Dims(kv.Value.TensorShape))).ToArray();

    private List<TfEndpoint> Endpoints(IDictionary<string, TensorInfo> map, IReadOnlyList<string> chosen, string signature, string role, string option, bool requireAll)
    {
        var keys = map.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (chosen.Count > 0)
        {
            var unknown = chosen.Where(c => !map.ContainsKey(c)).ToList();
            if (unknown.Count > 0 || (requireAll && chosen.Distinct(StringComparer.Ordinal).Count() != keys.Count))
            {
                throw BuildConvertException.Create(DiagnosticCodes.InvalidOption,
                    $"{option} for signature '{signature}' must name {(requireAll ? "all of" : "some of")} its {role}s ({string.Join(", ", keys)}){(unknown.Count > 0 ? $"; '{string.Join("', '", unknown)}' is not one" : "")}",
                    SourcePath);
            }

            keys = chosen.ToList();
        }

        return keys.Select(k =>
        {
            var info = map[k];
            if (info.EncodingCase != TensorInfo.EncodingOneofCase.Name)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TfGraphInvalid,
                    $"signature '{signature}', {role} '{k}': only dense tensors are supported (this one is {info.EncodingCase})", SourcePath);
            }

            var tensor = TfTensorRef.Parse(info.Name) ?? throw BuildConvertException.Create(DiagnosticCodes.TfTensorNotFound,
                $"signature '{signature}', {role} '{k}': '{info.Name}' is not a tensor name", SourcePath);
            return new TfEndpoint(k, tensor, info.Dtype, TfNodes.Dims(info.TensorShape), info.TensorShape is not null);
        }).ToList();
    }

    /// <summary>
    /// Variable values from the SavedModel's bundle. TF1 variables are keyed by their name (or shared_name); a TF2
    /// variable is found through the object graph: the signature function's bound inputs name SavedObjectGraph nodes,
    /// matched to the checkpoint's TrackableObjectGraph by their path of child names from the root, whose
    /// VARIABLE_VALUE attribute gives the checkpoint key.
    /// </summary>
    private sealed class SavedModelVariables : ITfVariableSource
    {
        private readonly TfSavedModelSourceModel model;
        private readonly string prefix;
        private TensorBundle? bundle;
        private Dictionary<string, string>? tf2Keys;

        public SavedModelVariables(TfSavedModelSourceModel model, string prefix)
        {
            this.model = model;
            this.prefix = prefix;
        }

        public string? KeyOf(NodeDef variable)
        {
            var b = Bundle(variable);
            tf2Keys ??= Tf2Keys(b);
            if (tf2Keys.TryGetValue(variable.Name, out var key))
            {
                return key;
            }

            var shared = TfNodes.StringAttr(variable, "shared_name");
            if (!string.IsNullOrEmpty(shared) && b.Contains(shared))
            {
                return shared;
            }

            return b.Contains(variable.Name) ? variable.Name : null;
        }

        public TensorData Read(string key, NodeDef reader) => bundle!.Read(key);

        private TensorBundle Bundle(NodeDef variable)
        {
            if (bundle is null)
            {
                if (!File.Exists(prefix + ".index"))
                {
                    throw BuildConvertException.Create(DiagnosticCodes.TfVariableNotFound,
                        $"the graph reads variable '{variable.Name}' ({variable.Op}) but the SavedModel has no variables/variables.index", model.SourcePath);
                }

                bundle = TensorBundle.Open(prefix, model.ReadOptions);
            }

            return bundle;
        }

        private Dictionary<string, string> Tf2Keys(TensorBundle b)
        {
            var keys = new Dictionary<string, string>(StringComparer.Ordinal);
            var objects = model.MetaGraph.ObjectGraphDef;
            if (objects is null || !b.Contains(TensorBundle.ObjectGraphKey))
            {
                return keys;
            }

            TrackableObjectGraph trackable;
            try
            {
                var strings = b.ReadStrings(TensorBundle.ObjectGraphKey);
                trackable = strings.Count == 1 ? TrackableObjectGraph.Parser.ParseFrom(strings[0]) : new TrackableObjectGraph();
            }
            catch (Google.Protobuf.InvalidProtocolBufferException e)
            {
                throw BuildConvertException.Create(DiagnosticCodes.TfBundleCorrupt,
                    $"tensor bundle '{b.IndexFile}': {TensorBundle.ObjectGraphKey} is not a valid TrackableObjectGraph ({e.Message})", b.IndexFile, inner: e);
            }

            var toCheckpoint = MatchObjects(objects, trackable);
            foreach (var call in model.Graph.Node.Where(n => n.Op is "StatefulPartitionedCall" or "PartitionedCall"))
            {
                var function = call.Attr.TryGetValue("f", out var f) ? f.Func?.Name : null;
                if (function is null || !objects.ConcreteFunctions.TryGetValue(function, out var concrete))
                {
                    continue;
                }

                var data = call.Input.Where(i => !i.StartsWith('^')).ToList();
                var bound = concrete.BoundInputs;
                for (var j = 0; j < bound.Count && j < data.Count; j++)
                {
                    var input = data[data.Count - bound.Count + j];
                    if (toCheckpoint.TryGetValue(bound[j], out var checkpointId) && checkpointId < trackable.Nodes.Count)
                    {
                        var attribute = trackable.Nodes[checkpointId].Attributes.FirstOrDefault(a => a.Name == "VARIABLE_VALUE");
                        if (attribute is not null)
                        {
                            keys[TfTensorRef.NodeOf(input)] = attribute.CheckpointKey;
                        }
                    }
                }
            }

            return keys;
        }

        // SavedObjectGraph node id -> TrackableObjectGraph node id, matching children by name from the roots (node 0).
        private static Dictionary<int, int> MatchObjects(SavedObjectGraph saved, TrackableObjectGraph checkpoint)
        {
            var map = new Dictionary<int, int>();
            if (saved.Nodes.Count == 0 || checkpoint.Nodes.Count == 0)
            {
                return map;
            }

            var queue = new Queue<(int Saved, int Checkpoint)>();
            queue.Enqueue((0, 0));
            map[0] = 0;
            while (queue.Count > 0)
            {
                var (s, c) = queue.Dequeue();
                var checkpointChildren = checkpoint.Nodes[c].Children.GroupBy(x => x.LocalName).ToDictionary(g => g.Key, g => g.First().NodeId, StringComparer.Ordinal);
                foreach (var child in saved.Nodes[s].Children)
                {
                    if (checkpointChildren.TryGetValue(child.LocalName, out var id) && id >= 0 && id < checkpoint.Nodes.Count
                        && child.NodeId >= 0 && child.NodeId < saved.Nodes.Count && map.TryAdd(child.NodeId, id))
                    {
                        queue.Enqueue((child.NodeId, id));
                    }
                }
            }

            return map;
        }
    }
}
