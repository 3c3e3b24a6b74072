namespace BuildConvert.Core.Converters.TorchScript;

/// <summary>
/// The families of ATen converters, each one file under <c>Converters/TorchScript/&lt;Family&gt;/</c> with a short table
/// (<c>r.Op("aten::relu", Relu, inPlace: true)</c>: operator, handler, whether the in-place form <c>aten::relu_</c> is
/// registered too). Every converter emits for opsets 13 and up unless it registers an opset-specific version. To add an
/// operator, add a line to its family's table; to add a family, add its <c>Register</c> here. Registering an
/// (operator, opset) twice fails at start-up, and a test checks every registered name against PyTorch 1.13's schemas.
/// </summary>
internal static class TorchOpFamilies
{
    /// <summary>Every family's registration, in no particular order.</summary>
    public static readonly Action<OpConverterRegistry<TorchOpHandler>>[] All =
    {
        Plumbing.PlumbingConverters.Register,
        Plumbing.ScalarConverters.Register,
        Math.ElementwiseConverters.Register,
        Math.ActivationConverters.Register,
        Math.ReductionConverters.Register,
        Math.MatMulConverters.Register,
        Nn.ConvolutionConverters.Register,
        Nn.PoolingConverters.Register,
        Nn.NormalizationConverters.Register,
        Nn.RecurrentConverters.Register,
        Nn.AttentionConverters.Register,
        Shapes.ShapeConverters.Register,
        Indexing.IndexingConverters.Register,
        Creation.CreationConverters.Register,
        Control.ControlFlowConverters.Register,
    };

    /// <summary>
    /// Registers <paramref name="handler"/> for <paramref name="kind"/> (<c>aten::relu</c>) from opset
    /// <paramref name="minOpset"/>; with <paramref name="inPlace"/>, also for <c>aten::relu_</c>, whose result PyTorch
    /// casts back to the mutated tensor's dtype (the front end has already rebound the mutated value).
    /// </summary>
    public static OpConverterRegistry<TorchOpHandler> Op(this OpConverterRegistry<TorchOpHandler> r, string kind, TorchOpHandler handler,
        string note = "", bool inPlace = false, int minOpset = 13)
    {
        var (domain, op) = TorchModelConverter.SplitKind(kind);
        r.Add(op, minOpset, handler, note, domain);
        if (inPlace)
        {
            r.Add(op + "_", minOpset, InPlace(handler), $"in-place form of {op}; the result keeps self's dtype", domain);
        }

        return r;
    }

    /// <summary>The in-place form of <paramref name="handler"/>: the result is cast to argument 0's element type.</summary>
    public static TorchOpHandler InPlace(TorchOpHandler handler) => c =>
    {
        handler(c);
        c.Infer();
        if (c.OutputCount > 0 && c.OutputSlot(0) is { Kind: TorchSlotKind.Tensor } result && c.IsTensor(0)
            && TorchNodeContext.ElementTypeOrNull(c.Tensor(0)) is { } selfType)
        {
            var value = result.Value!;
            if (TorchNodeContext.ElementTypeOrNull(value) != selfType)
            {
                c.SetOutput(0, c.Builder.Cast(value, selfType));
            }
        }
    };
}
