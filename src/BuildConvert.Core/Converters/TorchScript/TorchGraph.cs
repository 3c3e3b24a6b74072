using BuildConvert.Core.Graphs;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Converters.TorchScript;

/// <summary>
/// A TorchScript method as the ATen converters see it, whatever archive it came from: the method's code symbolically
/// executed into a flat, topologically ordered list of ATen-level nodes (TorchScript's own IR shape). The front end
/// (archive reader, pickle, TorchScript parser, interpreter) has already
/// <list type="bullet">
/// <item>inlined calls to submodule methods and to TorchScript functions, so that only <c>aten::*</c>, <c>prim::*</c>
/// and a few <c>prim::</c> structural kinds remain;</item>
/// <item>resolved module attributes (parameters, buffers, constants, <c>CONSTANTS.cN</c>) to constant values, tensors
/// among them as <see cref="TorchTensorConstant"/> over the archive's storages (read once, never copied);</item>
/// <item>folded what it could: integer/float/bool arithmetic, <c>aten::size</c> of a static dimension, <c>aten::dim</c>,
/// list literals of constants, ifs whose condition is a constant (only the taken branch remains), and loops whose
/// trip count and carried values are constants (unrolled). What stays dynamic is a node.</item>
/// </list>
/// Immutable once built; the converter does not change it.
/// </summary>
public sealed class TorchGraph
{
    /// <summary>The method's tensor and scalar inputs (<c>self</c> excluded), in the order the ONNX model lists them.</summary>
    public required IReadOnlyList<TorchValue> Inputs { get; init; }

    /// <summary>The nodes, in topological (execution) order.</summary>
    public required IReadOnlyList<TorchNode> Nodes { get; init; }

    /// <summary>The method's results, flattened (tuples, lists and dict values in order), as the ONNX model lists them.</summary>
    public required IReadOnlyList<TorchValue> Outputs { get; init; }

    /// <summary>The ONNX names of <see cref="Outputs"/> (dict keys where the method returns a dict, else output_k), same length.</summary>
    public required IReadOnlyList<string> OutputNames { get; init; }
}

/// <summary>One ATen-level operation: <c>aten::conv2d</c>, <c>aten::add</c> (overloads are told apart by their
/// argument types, as in the schema), <c>prim::ListConstruct</c>, <c>prim::TupleConstruct</c>, <c>prim::If</c>,
/// <c>prim::Loop</c>, ... Arguments are positional in schema order, with the schema's defaults filled in by the front
/// end, so a converter never guesses a default.</summary>
public sealed class TorchNode
{
    /// <summary>The operation, namespace included (<c>aten::relu_</c> keeps its in-place spelling; the converter treats
    /// the in-place and out-of-place forms alike because the front end already rebinds the mutated value).</summary>
    public required string Kind { get; init; }

    /// <summary>The arguments, positional, defaults filled in; a keyword-only argument sits at its schema position.</summary>
    public required IReadOnlyList<TorchValue> Inputs { get; init; }

    /// <summary>The results.</summary>
    public required IReadOnlyList<TorchValue> Outputs { get; init; }

    /// <summary>Sub-blocks: two for <c>prim::If</c> (then, else), one for <c>prim::Loop</c>; empty otherwise.</summary>
    public IReadOnlyList<TorchBlock> Blocks { get; init; } = Array.Empty<TorchBlock>();

    /// <summary>Where it came from, for diagnostics: <c>code/__torch__/torchvision/models/resnet.py:42</c> and the
    /// module path (<c>layer1.0.conv1</c>), when known.</summary>
    public string SourceRange { get; init; } = "";
}

/// <summary>A block of a <c>prim::If</c> or <c>prim::Loop</c>. A loop body's inputs are (iteration, carried...);
/// its outputs are (continue condition, carried...). An if branch has no inputs. Nodes may read values of the
/// enclosing scopes.</summary>
public sealed class TorchBlock
{
    /// <summary>The block's parameters.</summary>
    public required IReadOnlyList<TorchValue> Inputs { get; init; }

    /// <summary>The block's nodes, in order.</summary>
    public required IReadOnlyList<TorchNode> Nodes { get; init; }

    /// <summary>The block's results.</summary>
    public required IReadOnlyList<TorchValue> Outputs { get; init; }
}

/// <summary>A value of the TorchScript graph: a tensor, a scalar, a list, a tuple, None, a string or a device. When
/// the front end knows it, <see cref="Constant"/> holds it: <see cref="long"/>, <see cref="double"/>,
/// <see cref="bool"/>, <see cref="string"/>, <see cref="TorchNone.Instance"/>, <see cref="TorchTensorConstant"/>, or
/// an <see cref="IReadOnlyList{T}"/> of those (lists and tuples). Identity matters (reference equality).</summary>
public sealed class TorchValue
{
    /// <summary>A unique debug name (<c>input</c>, <c>x.3</c>, <c>self.layer1.0.conv1.weight</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Its TorchScript type.</summary>
    public required TorchType Type { get; init; }

    /// <summary>The value when known at conversion time, else null.</summary>
    public object? Constant { get; init; }

    /// <summary>For a tensor: its element type when known.</summary>
    public DataType? ElementType { get; init; }

    /// <summary>For a tensor: its dimensions when the rank is known; an entry is a fixed size or a named dynamic one
    /// (the InputShapes option's <c>N</c>, or <c>-1</c>).</summary>
    public IReadOnlyList<Dim>? Shape { get; init; }

    public override string ToString() => Name;
}

/// <summary>TorchScript's value kinds.</summary>
public enum TorchTypeKind
{
    Tensor, Int, Float, Bool, Str, None, List, Tuple, Dict, Optional, Device, Layout, MemoryFormat, ScalarType, Any,
}

/// <summary>A TorchScript type: <c>Tensor</c>, <c>int</c>, <c>List[int]</c>, <c>Tuple[Tensor, Tensor]</c>,
/// <c>Optional[Tensor]</c>, <c>Dict[str, Tensor]</c>.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Elements">Element types: one for List/Optional, each element's for Tuple, key then value for Dict.</param>
public sealed record TorchType(TorchTypeKind Kind, IReadOnlyList<TorchType> Elements)
{
    public static readonly TorchType Tensor = new(TorchTypeKind.Tensor, Array.Empty<TorchType>());
    public static readonly TorchType Int = new(TorchTypeKind.Int, Array.Empty<TorchType>());
    public static readonly TorchType Float = new(TorchTypeKind.Float, Array.Empty<TorchType>());
    public static readonly TorchType Bool = new(TorchTypeKind.Bool, Array.Empty<TorchType>());
    public static readonly TorchType Str = new(TorchTypeKind.Str, Array.Empty<TorchType>());
    public static readonly TorchType NoneType = new(TorchTypeKind.None, Array.Empty<TorchType>());
    public static readonly TorchType Device = new(TorchTypeKind.Device, Array.Empty<TorchType>());
    public static readonly TorchType AnyType = new(TorchTypeKind.Any, Array.Empty<TorchType>());

    public static TorchType ListOf(TorchType element) => new(TorchTypeKind.List, new[] { element });

    public static TorchType OptionalOf(TorchType element) => new(TorchTypeKind.Optional, new[] { element });

    public static TorchType TupleOf(params TorchType[] elements) => new(TorchTypeKind.Tuple, elements);

    public static TorchType DictOf(TorchType key, TorchType value) => new(TorchTypeKind.Dict, new[] { key, value });

    public bool Equals(TorchType? other) =>
        other is not null && Kind == other.Kind && Elements.SequenceEqual(other.Elements);

    public override int GetHashCode() => Elements.Aggregate((int)Kind, (h, e) => HashCode.Combine(h, e));

    public override string ToString() => Kind switch
    {
        TorchTypeKind.List => $"List[{Elements[0]}]",
        TorchTypeKind.Optional => $"Optional[{Elements[0]}]",
        TorchTypeKind.Tuple => $"Tuple[{string.Join(", ", Elements)}]",
        TorchTypeKind.Dict => $"Dict[{Elements[0]}, {Elements[1]}]",
        TorchTypeKind.None => "NoneType",
        _ => Kind.ToString().ToLowerInvariant() switch { "tensor" => "Tensor", var s => s },
    };
}

/// <summary>Python's None as a constant.</summary>
public sealed class TorchNone
{
    public static readonly TorchNone Instance = new();

    private TorchNone()
    {
    }

    public override string ToString() => "None";
}

/// <summary>A tensor known at conversion time (a parameter, a buffer, a <c>CONSTANTS.cN</c>, or a folded literal):
/// its data as the core's <see cref="TensorData"/> (contiguous, row-major; over the archive's bytes where the
/// storage is contiguous, so weights are not copied).</summary>
/// <param name="Data">The data.</param>
/// <param name="RequiresGrad">Whether it was a trainable parameter (informational).</param>
public sealed record TorchTensorConstant(TensorData Data, bool RequiresGrad = false);
