using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.Onnx.Rules;

/// <summary>
/// The remaining operator changes: Cast (type name to enum 6, saturate 19, round_mode 24), Clip (min/max inputs 11),
/// Constant (sparse 11, value_* 12), Gemm (broadcast 7, optional C 11), Scatter to ScatterElements (11), Shape's
/// start/end (15), Range's stash_type (27), and the attributes added with a neutral default (ArgMax select_last_index,
/// DepthToSpace mode, GatherND batch_dims, Scatter* reduction, quantization axes and blocks, RoiAlign's transform).
/// </summary>
internal static class MiscRules
{
    public static void Register(OpsetRuleTable t)
    {
        t.Adapter("Cast", 6, "'to' became a DataType number instead of a type name", UpgradeCast6, DowngradeCast6);
        t.Adapter("Cast", 19, "saturate added (float 8 targets only)", OpsetRuleTable.NoOp, c => c.Node.RemoveAttribute("saturate"));
        t.Adapter("Cast", 24, "round_mode added (float8e8m0 targets only)", OpsetRuleTable.NoOp, c => c.Node.RemoveAttribute("round_mode"));
        t.Adapter("CastLike", 19, "saturate added (float 8 targets only)", OpsetRuleTable.NoOp, c => c.Node.RemoveAttribute("saturate"));
        t.Adapter("CastLike", 24, "round_mode added (float8e8m0 targets only)", OpsetRuleTable.NoOp, c => c.Node.RemoveAttribute("round_mode"));
        t.Adapter("Clip", 11, "min and max attributes became inputs", UpgradeClip11, DowngradeClip11);
        t.Adapter("Constant", 11, "value optional; sparse_value added", OpsetRuleTable.NoOp, c =>
        {
            if (c.Node.HasAttribute("sparse_value"))
            {
                throw c.Impossible("a sparse constant cannot be expressed below opset 11");
            }
        });
        t.Adapter("Constant", 12, "value_float(s), value_int(s), value_string(s) added", OpsetRuleTable.NoOp, DowngradeConstant12);
        t.Adapter("Gemm", 7, "broadcast attribute removed (C broadcasts unidirectionally)", c => c.Node.RemoveAttribute("broadcast"),
            c => c.Node.SetAttribute(NodeAttribute.Of("broadcast", 1L)));
        t.Adapter("Gemm", 11, "C optional", OpsetRuleTable.NoOp, DowngradeGemm11);
        t.Adapter("Scatter", 11, "Scatter deprecated: replaced by ScatterElements (same inputs and meaning)", c => c.Node.OpType = "ScatterElements", null,
            downImpossible: "Scatter-11 is deprecated (no node has it)");
        t.Adapter("ScatterElements", 11, "ScatterElements-11 replaced Scatter-9", null, c => c.Node.OpType = "Scatter",
            upImpossible: "ScatterElements starts at opset 11");
        t.Adapter("ScatterElements", 16, "reduction added", OpsetRuleTable.NoOp, c => RequireReduction(c, "none"));
        t.Adapter("ScatterND", 16, "reduction added", OpsetRuleTable.NoOp, c => RequireReduction(c, "none"));
        t.Adapter("ScatterElements", 18, "max and min reductions added", OpsetRuleTable.NoOp, c => RequireReduction(c, "none", "add", "mul"));
        t.Adapter("ScatterND", 18, "max and min reductions added", OpsetRuleTable.NoOp, c => RequireReduction(c, "none", "add", "mul"));
        t.Adapter("Shape", 15, "start and end attributes added", OpsetRuleTable.NoOp, DowngradeShape15);
        t.Adapter("Range", 27, "stash_type added; float16 and bfloat16", OpsetRuleTable.NoOp, DowngradeRange27);
        t.Adapter("ArgMax", 12, "select_last_index added", OpsetRuleTable.NoOp, c => c.RequireIntAttribute("select_last_index", 0, "picks the last maximum, which ArgMax below opset 12 cannot"));
        t.Adapter("ArgMin", 12, "select_last_index added", OpsetRuleTable.NoOp, c => c.RequireIntAttribute("select_last_index", 0, "picks the last minimum, which ArgMin below opset 12 cannot"));
        t.Adapter("DepthToSpace", 11, "mode added (DCR, the old order, by default)", OpsetRuleTable.NoOp,
            c => AxesRules.RequireNotString(c, "mode", "CRD", "DepthToSpace below opset 11 only has the DCR order"));
        t.Adapter("GatherND", 12, "batch_dims added", OpsetRuleTable.NoOp, c => c.RequireIntAttribute("batch_dims", 0, "is not available below opset 12"));
        t.Adapter("RoiAlign", 16, "coordinate_transformation_mode added; its default half_pixel shifts by -0.5 where RoiAlign-10 did not",
            c =>
            {
                if (!c.Node.HasAttribute("coordinate_transformation_mode"))
                {
                    c.Node.SetAttribute(NodeAttribute.Of("coordinate_transformation_mode", "output_half_pixel"));
                }
            },
            c =>
            {
                if (c.Node.RemoveAttribute("coordinate_transformation_mode") is not { } m || m.Text != "output_half_pixel")
                {
                    throw c.Impossible("coordinate_transformation_mode 'half_pixel' shifts the input coordinates, which RoiAlign below opset 16 does not");
                }
            });
        t.Adapter("GridSample", 20, "N-D input; modes bilinear/bicubic renamed linear/cubic",
            c => RenameString(c, "mode", ("bilinear", "linear"), ("bicubic", "cubic")),
            c =>
            {
                if (c.Rank(c.Node.Input(0)) is { } r && r != 4)
                {
                    throw c.Impossible("GridSample below opset 20 only takes 4-D input");
                }

                RenameString(c, "mode", ("linear", "bilinear"), ("cubic", "bicubic"));
                if (!c.Node.HasAttribute("mode"))
                {
                    c.Node.SetAttribute(NodeAttribute.Of("mode", "bilinear"));
                }
            });
        t.Adapter("DFT", 20, "axis attribute became an input", UpgradeDft20, DowngradeDft20);
        t.Adapter("QuantizeLinear", 13, "per-axis quantization (axis attribute)", OpsetRuleTable.NoOp, c => RequirePerTensor(c, 1));
        t.Adapter("DequantizeLinear", 13, "per-axis quantization (axis attribute)", OpsetRuleTable.NoOp, c => RequirePerTensor(c, 1));
        t.Adapter("QuantizeLinear", 19, "float 8 types; saturate added", OpsetRuleTable.NoOp, c => c.Node.RemoveAttribute("saturate"));
        t.Adapter("QuantizeLinear", 21, "blocked quantization (block_size) and output_dtype added", OpsetRuleTable.NoOp, c =>
        {
            c.RequireIntAttribute("block_size", 0, "is blocked quantization, which is not available below opset 21");
            RequireOutputTypeImplied(c, 2, DataType.Uint8);
        });
        t.Adapter("DequantizeLinear", 21, "blocked quantization (block_size) added", OpsetRuleTable.NoOp,
            c => c.RequireIntAttribute("block_size", 0, "is blocked quantization, which is not available below opset 21"));
        t.Adapter("QuantizeLinear", 23, "precision added; 4-bit and float 4 types", OpsetRuleTable.NoOp, c => c.RequireIntAttribute("precision", 0, "sets the division's precision, which is not available below opset 23"));
        t.Adapter("DequantizeLinear", 23, "output_dtype added; 4-bit and float 4 types", OpsetRuleTable.NoOp, c =>
        {
            if (c.Node.RemoveAttribute("output_dtype") is { Int: not 0 } o && c.ElementType(c.Node.Input(1)) is var scale && (int?)scale != (int)o.Int)
            {
                throw c.Impossible("output_dtype differs from the scale's type, which DequantizeLinear below opset 23 cannot express");
            }
        });
        t.Adapter("Attention", 24, "nonpad_kv_seqlen input added", OpsetRuleTable.NoOp, c =>
        {
            if (c.Node.Input(6) is not null)
            {
                throw c.Impossible("the nonpad_kv_seqlen input is not available below opset 24");
            }
        });
        t.Adapter("Attention", 25, "left_window_size and right_window_size added", OpsetRuleTable.NoOp, c =>
        {
            c.RequireIntAttribute("left_window_size", -1, "bounds the attention window, which Attention below opset 25 cannot");
            c.RequireIntAttribute("right_window_size", -1, "bounds the attention window, which Attention below opset 25 cannot");
        });
        t.Adapter("Scan", 9, "batch axis and sequence_lens removed; scan axes and directions per input", null, null,
            upImpossible: "Scan-8 iterates over a batch axis with optional sequence lengths, which Scan-9 does not have (not converted)",
            downImpossible: "Scan-9's scan axes and directions cannot be expressed with Scan-8's batch axis (not converted)");
        t.Adapter("Scan", 11, "negative scan axes allowed", OpsetRuleTable.NoOp, c =>
        {
            foreach (var name in new[] { "scan_input_axes", "scan_output_axes" })
            {
                if (c.Node.GetInts(name) is { } axes && axes.Any(a => a < 0))
                {
                    throw c.Impossible($"negative {name} are not allowed below opset 11");
                }
            }
        });
        t.Adapter("OptionalHasElement", 18, "input optional; takes tensors and sequences", OpsetRuleTable.NoOp, c =>
        {
            if (c.Node.Input(0) is null)
            {
                throw c.Impossible("an omitted input is not allowed below opset 18");
            }
        });
        t.Adapter("Pow", 12, "the exponent may have another element type than the base", OpsetRuleTable.NoOp, c =>
        {
            var (x, y) = (c.ElementType(c.Node.Input(0)), c.ElementType(c.Node.Input(1)));
            if (x is null || y is null)
            {
                throw c.Impossible("below opset 12 the exponent must have the base's element type, and the types are unknown");
            }

            if (x != y)
            {
                c.Node.SetInput(1, c.Builder.Cast(c.Node.Input(1)!, x.Value));
            }
        });
    }

    private static void RenameString(OpsetStepContext c, string attribute, params (string From, string To)[] map)
    {
        var value = c.Node.GetString(attribute, "");
        foreach (var (from, to) in map)
        {
            if (value == from)
            {
                c.Node.SetAttribute(NodeAttribute.Of(attribute, to));
            }
        }
    }

    private static void RequireReduction(OpsetStepContext c, params string[] allowed)
    {
        var reduction = c.Node.GetString("reduction", "none");
        if (!allowed.Contains(reduction))
        {
            throw c.Impossible($"reduction '{reduction}' is not available below opset {c.FromVersion}");
        }

        if (allowed.Length == 1)
        {
            c.Node.RemoveAttribute("reduction");
        }
    }

    private static void RequirePerTensor(OpsetStepContext c, int scaleIndex)
    {
        c.Node.RemoveAttribute("axis");
        if (c.Rank(c.Node.Input(scaleIndex)) is not (0 or null) && c.Shape(c.Node.Input(scaleIndex)) is { } s && s.Any(d => d.Value != 1))
        {
            throw c.Impossible("per-axis quantization (a scale with more than one element) is not available below opset 13");
        }
    }

    private static void RequireOutputTypeImplied(OpsetStepContext c, int zeroPointIndex, DataType fallback)
    {
        if (c.Node.RemoveAttribute("output_dtype") is { Int: not 0 } o)
        {
            var implied = c.Node.Input(zeroPointIndex) is { } zp ? c.ElementType(zp) : fallback;
            if (implied is null || (int)implied.Value != (int)o.Int)
            {
                throw c.Impossible("output_dtype is not the type the zero point implies, which is not expressible below opset 21");
            }
        }
    }

    private static void UpgradeCast6(OpsetStepContext c)
    {
        var to = c.Node.Attribute("to");
        if (to is not { Type: Formats.Onnx.Proto.AttributeProto.Types.AttributeType.String })
        {
            return;
        }

        if (!Enum.TryParse<DataType>(to.Text, ignoreCase: true, out var type) || !Enum.IsDefined(type) || type == DataType.Undefined)
        {
            throw c.Impossible($"'to'='{to.Text}' is not an ONNX type name");
        }

        c.Node.SetAttribute(NodeAttribute.Of("to", (long)type));
    }

    private static void DowngradeCast6(OpsetStepContext c)
    {
        var to = c.Node.GetInt("to", 0);
        try
        {
            c.Node.SetAttribute(NodeAttribute.Of("to", OpBuilder.CastName((DataType)to)));
        }
        catch (ArgumentException)
        {
            throw c.Impossible($"Cast-1 cannot name element type {to}");
        }
    }

    private static void UpgradeClip11(OpsetStepContext c)
    {
        var min = c.Node.RemoveAttribute("min");
        var max = c.Node.RemoveAttribute("max");
        if (min is null && max is null)
        {
            return;
        }

        var type = c.RequireElementType(c.Node.Input(0), "min and max become tensors of that type");
        c.Node.SetInput(1, min is null ? null : c.Builder.Scalar(type, min.Float));
        c.Node.SetInput(2, max is null ? null : c.Builder.Scalar(type, max.Float));
        c.Node.TrimOmittedInputs();
    }

    private static void DowngradeClip11(OpsetStepContext c)
    {
        float? Bound(int index, string what)
        {
            if (c.Node.Input(index) is not { } v)
            {
                return null;
            }

            var constant = v.ConstantValue ?? throw c.Impossible($"the {what} must be a constant below opset 11, and it is computed at run time");
            return constant.ElementCount == 0 ? null : (float)constant.ToDoubles()[0];
        }

        var min = Bound(1, "minimum");
        var max = Bound(2, "maximum");
        c.DropInputsFrom(1);
        if (min is { } lo)
        {
            c.Node.SetAttribute(NodeAttribute.Of("min", lo));
        }

        if (max is { } hi)
        {
            c.Node.SetAttribute(NodeAttribute.Of("max", hi));
        }
    }

    private static void DowngradeConstant12(OpsetStepContext c)
    {
        var n = c.Node;
        TensorData? value = null;
        if (n.RemoveAttribute("value_float") is { } f)
        {
            value = TensorData.FromFloats(new[] { f.Float }, Array.Empty<long>());
        }
        else if (n.RemoveAttribute("value_floats") is { } fs)
        {
            value = TensorData.FromFloats(fs.Floats.ToArray());
        }
        else if (n.RemoveAttribute("value_int") is { } i)
        {
            value = TensorData.FromInt64s(new[] { i.Int }, Array.Empty<long>());
        }
        else if (n.RemoveAttribute("value_ints") is { } iss)
        {
            value = TensorData.FromInt64s(iss.Ints.ToArray());
        }
        else if (n.RemoveAttribute("value_string") is { } s)
        {
            value = TensorData.FromStrings(Array.Empty<long>(), new[] { s.Text });
        }
        else if (n.RemoveAttribute("value_strings") is { } ss)
        {
            value = TensorData.FromStrings(new long[] { ss.Texts.Count }, ss.Texts);
        }

        if (value is not null)
        {
            n.SetAttribute(NodeAttribute.Of("value", value));
        }
    }

    private static void DowngradeGemm11(OpsetStepContext c)
    {
        if (c.Node.Input(2) is null)
        {
            var type = c.RequireElementType(c.Node.Input(0), "C is required below opset 11 and must be a zero of that type");
            c.Node.SetInput(2, c.Builder.Scalar(type, 0));
        }
    }

    private static void DowngradeShape15(OpsetStepContext c)
    {
        var start = c.Node.RemoveAttribute("start")?.Int ?? 0;
        var end = c.Node.RemoveAttribute("end")?.Int;
        if (start == 0 && end is null)
        {
            return;
        }

        // Shape then Slice of the shape vector; the Slice is the helper, so the Shape node keeps its outputs: move them.
        c.TransformOutput(0, shape => c.Builder.Slice(shape, new[] { start }, new[] { end ?? long.MaxValue }));
    }

    private static void DowngradeRange27(OpsetStepContext c)
    {
        var stash = c.Node.RemoveAttribute("stash_type")?.Int ?? 1;
        var type = c.RequireElementType(c.Node.Input(0), "Range below opset 27 has no float16 or bfloat16");
        if (type is not (DataType.Float16 or DataType.Bfloat16))
        {
            return;
        }

        if (stash != 1)
        {
            throw c.Impossible("stash_type=0 accumulates in 16-bit floats, which Range below opset 27 cannot");
        }

        // stash_type=1: compute in float and cast back, as Range-27 specifies.
        for (var i = 0; i < 3; i++)
        {
            c.Node.SetInput(i, c.Builder.Cast(c.Node.Input(i)!, DataType.Float));
        }

        c.TransformOutput(0, y => c.Builder.Cast(y, type));
    }

    private static void UpgradeDft20(OpsetStepContext c)
    {
        var axis = c.Node.RemoveAttribute("axis")?.Int ?? 1;
        c.Node.SetInput(2, c.Builder.Const(TensorData.FromInt64s(new[] { axis }, Array.Empty<long>()), "axis"));
    }

    private static void DowngradeDft20(OpsetStepContext c)
    {
        if (c.Node.Input(2) is null)
        {
            var rank = c.RequireRank(c.Node.Input(0), "DFT-20's default axis -2 must be spelled as a non-negative axis");
            c.Node.SetAttribute(NodeAttribute.Of("axis", (long)(rank - 2)));
            return;
        }

        var axis = c.ConstantInts(2, "the axis")![0];
        c.DropInputsFrom(2);
        c.Node.SetAttribute(NodeAttribute.Of("axis", axis));
    }
}
