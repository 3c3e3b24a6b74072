using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.TorchScript.Nn;

/// <summary>
/// Recurrent layers (https://pytorch.org/docs/1.13/nn.html#recurrent-layers) as nn.LSTM/GRU/RNN call them:
/// <c>aten::lstm</c>(input, [h0, c0], params, has_biases, num_layers, dropout, train, bidirectional, batch_first),
/// <c>aten::gru</c>/<c>aten::rnn_tanh</c>/<c>aten::rnn_relu</c>(input, h0, params, ...), with the flat weight list in
/// PyTorch's order (per layer, per direction: w_ih, w_hh[, b_ih, b_hh]). Each layer is one ONNX LSTM/GRU/RNN
/// (forward or bidirectional), its gates reordered from PyTorch's (LSTM i,f,g,o; GRU r,z,n) to ONNX's (i,o,f,c;
/// z,r,h), GRU with linear_before_reset=1 (PyTorch applies the reset gate after the hidden product). batch_first
/// transposes in and out; the next layer reads [seq, batch, directions * hidden]; dropout between layers is the
/// identity in evaluation mode. Packed sequences (the <c>.data</c> overloads) and LSTM projections are refused.
/// </summary>
internal static class RecurrentConverters
{
    public static void Register(OpConverterRegistry<TorchOpHandler> r)
    {
        r.Op("aten::lstm", c => Recurrent(c, "LSTM"), "one ONNX LSTM per layer; gates i,f,g,o -> i,o,f,c; packed sequences and proj_size refused");
        r.Op("aten::gru", c => Recurrent(c, "GRU"), "one ONNX GRU per layer; gates r,z,n -> z,r,h; linear_before_reset=1");
        r.Op("aten::rnn_tanh", c => Recurrent(c, "RNN_TANH"), "one ONNX RNN per layer");
        r.Op("aten::rnn_relu", c => Recurrent(c, "RNN_RELU"), "one ONNX RNN per layer, activation Relu");
    }

    private static void Recurrent(TorchNodeContext c, string kind)
    {
        var lstm = kind == "LSTM";
        var packed = lstm ? c.IsTensor(1) && !c.IsList(1) : c.IsTensor(2) && !c.IsList(2);
        if (packed)
        {
            throw c.Unsupported("packed sequences (torch.nn.utils.rnn.pack_padded_sequence) are not supported; pass a padded tensor");
        }

        var x = c.Tensor(0);
        var type = c.ElementType(x);
        var initial = lstm ? c.Tensors(1, "hx") : new[] { c.Tensor(1) };
        var parameters = c.Tensors(2, "params");
        var hasBiases = c.Bool(3, "has_biases");
        var layers = (int)c.Int(4, "num_layers");
        var dropout = c.Double(5, "dropout");
        var train = c.Bool(6, "train");
        var bidirectional = c.Bool(7, "bidirectional");
        var batchFirst = c.Bool(8, "batch_first");
        if (train && dropout > 0 && layers > 1)
        {
            throw BuildConvertException.Create(DiagnosticCodes.TorchScriptTrainingMode,
                $"{c.Where()}: dropout {dropout} between layers with train=True draws random masks; call model.eval() before tracing or scripting", location: c.Name);
        }

        var directions = bidirectional ? 2 : 1;
        var perDirection = hasBiases ? 4 : 2;
        if (parameters.Count != layers * directions * perDirection)
        {
            throw parameters.Count == layers * directions * (perDirection + 1) && lstm
                ? c.Unsupported("LSTM with proj_size > 0 has no ONNX LSTM form")
                : c.Error($"params has {parameters.Count} tensor(s); {layers} layer(s), {directions} direction(s) and has_biases={hasBiases} need {layers * directions * perDirection}");
        }

        var gates = kind switch { "LSTM" => 4, "GRU" => 3, _ => 1 };
        var order = kind switch { "LSTM" => new[] { 0, 3, 1, 2 }, "GRU" => new[] { 1, 0, 2 }, _ => new[] { 0 } };
        var b = c.Builder;
        var hidden = c.RequireDim(parameters[1], 1, "the hidden size (w_hh's second dimension)");
        var sequence = batchFirst ? b.Op("Transpose", new[] { x }, NodeAttribute.Of("perm", new long[] { 1, 0, 2 })) : x;
        var finalH = new List<Value>();
        var finalC = new List<Value>();
        for (var layer = 0; layer < layers; layer++)
        {
            var w = new List<Value>();
            var rw = new List<Value>();
            var bias = new List<Value>();
            for (var d = 0; d < directions; d++)
            {
                var at = ((layer * directions) + d) * perDirection;
                w.Add(Reorder(b, c.CastTo(parameters[at], type), gates, hidden, order));
                rw.Add(Reorder(b, c.CastTo(parameters[at + 1], type), gates, hidden, order));
                if (hasBiases)
                {
                    bias.Add(b.Op("Concat", new[] { Reorder(b, c.CastTo(parameters[at + 2], type), gates, hidden, order), Reorder(b, c.CastTo(parameters[at + 3], type), gates, hidden, order) },
                        NodeAttribute.Of("axis", 0L)));
                }
            }

            var h0 = b.Slice(initial[0], new long[] { layer * directions }, new long[] { (layer + 1) * directions }, new long[] { 0 });
            var inputs = new List<Value?>
            {
                sequence, Stack(b, w), Stack(b, rw), hasBiases ? Stack(b, bias) : null, null, c.CastTo(h0, type),
            };
            if (lstm)
            {
                inputs.Add(c.CastTo(b.Slice(initial[1], new long[] { layer * directions }, new long[] { (layer + 1) * directions }, new long[] { 0 }), type));
            }

            var attributes = new List<NodeAttribute>
            {
                NodeAttribute.Of("hidden_size", hidden), NodeAttribute.Of("direction", bidirectional ? "bidirectional" : "forward"),
            };
            var op = kind switch { "LSTM" => "LSTM", "GRU" => "GRU", _ => "RNN" };
            if (kind == "GRU")
            {
                attributes.Add(NodeAttribute.Of("linear_before_reset", 1L));
            }
            else if (kind == "RNN_RELU")
            {
                attributes.Add(NodeAttribute.Of("activations", Enumerable.Repeat("Relu", directions)));
            }
            else if (kind == "RNN_TANH")
            {
                attributes.Add(NodeAttribute.Of("activations", Enumerable.Repeat("Tanh", directions)));
            }

            var node = b.Node(op, inputs, lstm ? 3 : 2, attributes);
            // Y: [seq, directions, batch, hidden] -> [seq, batch, directions * hidden].
            var y = b.Op("Transpose", new[] { node.Outputs[0]! }, NodeAttribute.Of("perm", new long[] { 0, 2, 1, 3 }));
            sequence = b.Reshape(y, new long[] { 0, 0, -1 });
            finalH.Add(node.Outputs[1]!);
            if (lstm)
            {
                finalC.Add(node.Outputs[2]!);
            }
        }

        c.SetOutput(0, batchFirst ? b.Op("Transpose", new[] { sequence }, NodeAttribute.Of("perm", new long[] { 1, 0, 2 })) : sequence);
        c.SetOutput(1, finalH.Count == 1 ? finalH[0] : b.Op("Concat", finalH, NodeAttribute.Of("axis", 0L)));
        if (lstm)
        {
            c.SetOutput(2, finalC.Count == 1 ? finalC[0] : b.Op("Concat", finalC, NodeAttribute.Of("axis", 0L)));
        }
    }

    /// <summary>The gate blocks of a weight or bias (along dimension 0) in ONNX's order.</summary>
    private static Value Reorder(OpBuilder b, Value weight, int gates, long hidden, int[] order)
    {
        if (gates == 1)
        {
            return weight;
        }

        var parts = b.Split(weight, 0, Enumerable.Repeat(hidden, gates).ToArray(), gates);
        return b.Op("Concat", order.Select(i => parts[i]), NodeAttribute.Of("axis", 0L));
    }

    private static Value Stack(OpBuilder b, IReadOnlyList<Value> perDirection) =>
        perDirection.Count == 1
            ? b.Unsqueeze(perDirection[0], new long[] { 0 })
            : b.Op("Concat", perDirection.Select(v => b.Unsqueeze(v, new long[] { 0 })), NodeAttribute.Of("axis", 0L));
}
