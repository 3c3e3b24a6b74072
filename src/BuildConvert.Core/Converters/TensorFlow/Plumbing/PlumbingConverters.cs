using BuildConvert.Core.Graphs;

namespace BuildConvert.Core.Converters.TensorFlow.Plumbing;

/// <summary>
/// Constants, placeholders and the ops that pass a tensor through unchanged at inference time
/// (https://www.tensorflow.org/api_docs/python/tf/raw_ops): <c>Identity</c>, <c>IdentityN</c>, <c>Snapshot</c>,
/// <c>StopGradient</c>, <c>PreventGradient</c>, <c>CheckNumerics</c>, <c>EnsureShape</c> become no ONNX node at all
/// (their outputs are their inputs); <c>NoOp</c> has no outputs.
/// </summary>
internal static class PlumbingConverters
{
    public static void Register(OpConverterRegistry<TfOpHandler> r)
    {
        r.Add("Const", 13, Const, "value attribute, or the variable's value from the checkpoint");
        r.Add("Placeholder", 13, Placeholder, "must be bound as a graph input");
        r.Add("PlaceholderWithDefault", 13, PassThrough, "the default when not bound as a graph input");
        r.Add("Identity", 13, PassThrough);
        r.Add("IdentityN", 13, PassThroughAll);
        r.Add("Snapshot", 13, PassThrough);
        r.Add("StopGradient", 13, PassThrough);
        r.Add("PreventGradient", 13, PassThrough);
        r.Add("CheckNumerics", 13, PassThrough, "the check is dropped");
        r.Add("EnsureShape", 13, PassThrough, "the check is dropped");
        r.Add("NoOp", 13, _ => { });
    }

    /// <summary>Const: <c>dtype</c>, <c>value</c> (a TensorProto) → an initializer named after the node.</summary>
    private static void Const(TfNodeContext c)
    {
        var data = c.Source.Variables.TryGetValue(c.Name, out var variable) ? variable : c.Tensor("value");
        c.SetOutput(0, c.Graph.AddInitializer(c.Name, data));
    }

    private static void Placeholder(TfNodeContext c) =>
        throw c.Error("the outputs need this placeholder's value; bind it as a graph input (--inputs / Inputs)");

    /// <summary>Output 0 is input 0.</summary>
    private static void PassThrough(TfNodeContext c) => c.SetOutput(0, c.Input(0));

    /// <summary>Output k is input k.</summary>
    private static void PassThroughAll(TfNodeContext c)
    {
        if (c.OutputCount > c.InputCount)
        {
            throw c.Error($"output {c.OutputCount - 1} is read and the node has {c.InputCount} input(s)");
        }

        c.SetOutputs(c.Inputs.Take(c.OutputCount).ToArray());
    }
}
