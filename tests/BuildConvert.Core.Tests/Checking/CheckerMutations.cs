using BuildConvert.Core.Formats.Onnx.Proto;
using Google.Protobuf;
using static BuildConvert.Core.Tests.Checking.CheckerTestModels;
using AttributeType = BuildConvert.Core.Formats.Onnx.Proto.AttributeProto.Types.AttributeType;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Tests.Checking;

/// <summary>
/// One rule violation: a mutation of <see cref="CheckerTestModels.Valid"/> and the codes the checker must report
/// (exactly these codes, nothing else). <see cref="OnnxRejects"/> records whether onnx.checker 1.12 (Debian
/// python3-onnx) also rejects the mutated model (see Fixtures/README.md for how that was verified).
/// </summary>
internal sealed record CheckerMutation(string Name, Action<ModelProto> Mutate, string Expected, string[] Also, bool OnnxRejects)
{
    public override string ToString() => Name;

    public static readonly IReadOnlyList<CheckerMutation> All = Build();

    private static CheckerMutation M(string name, string expected, Action<ModelProto> mutate, bool onnxRejects = true, params string[] also) =>
        new(name, mutate, expected, also, onnxRejects);

    private static List<CheckerMutation> Build() =>
    [
        // Model level.
        M("ir_version_missing", "BCONV3001", m => m.IrVersion = 0),
        M("ir_version_too_new", "BCONV3002", m => m.IrVersion = 99),
        M("opset_import_missing", "BCONV3003", m => m.OpsetImport.Clear(), also: "BCONV3052"),
        M("opset_import_with_ir2", "BCONV3004", m => m.IrVersion = 2, also: "BCONV3031"),
        M("opset_domain_twice", "BCONV3005", m => m.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx", Version = 17 }), onnxRejects: false),
        M("opset_version_29", "BCONV3006", m => m.OpsetImport[0].Version = 29, onnxRejects: false),
        M("opset_ml_version_6", "BCONV3006", m => m.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = 6 }), onnxRejects: false),
        M("metadata_key_twice", "BCONV3007", m =>
        {
            m.MetadataProps.Add(new StringStringEntryProto { Key = "k", Value = "1" });
            m.MetadataProps.Add(new StringStringEntryProto { Key = "k", Value = "2" });
        }),
        M("graph_missing", "BCONV3008", m => m.Graph = null),

        // Graph inputs, outputs, types.
        M("graph_name_empty", "BCONV3020", m => m.Graph.Name = ""),
        M("input_name_empty", "BCONV3021", m => m.Graph.Input.Add(TensorInfo("", DataType.Float, 1))),
        M("input_type_missing", "BCONV3022", m => m.Graph.Input[0].Type = null),
        M("input_elem_type_undefined", "BCONV3023", m => m.Graph.Input[0].Type.TensorType.ElemType = 0),
        M("input_shape_missing", "BCONV3024", m => m.Graph.Input[0].Type.TensorType.Shape = null),
        M("input_type_empty", "BCONV3025", m => m.Graph.Input[0].Type = new TypeProto()),
        M("input_map_key_float", "BCONV3026", m => m.Graph.Input.Add(new ValueInfoProto
        {
            Name = "M",
            Type = new TypeProto { MapType = new TypeProto.Types.Map { KeyType = (int)DataType.Float, ValueType = TensorInfo("v", DataType.Float, 1).Type } },
        }), onnxRejects: false),
        M("input_dim_negative", "BCONV3027", m => m.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimValue = -1),
        M("input_twice", "BCONV3028", m => m.Graph.Input.Add(TensorInfo("X", DataType.Float, 2, 3))),

        // Initializers and SSA.
        M("initializer_name_empty", "BCONV3029", m => m.Graph.Initializer.Add(RawFloat("", [1], [1f]))),
        M("initializer_twice", "BCONV3030", m => m.Graph.Initializer.Add(m.Initializer("B").Clone())),
        M("initializer_not_input_ir3", "BCONV3031", m => m.IrVersion = 3),
        M("node_input_undefined", "BCONV3032", m => m.NodeNamed("matmul").Input[1] = "nope"),
        M("nodes_not_topological", "BCONV3032", m =>
        {
            var first = m.Graph.Node[0];
            m.Graph.Node.RemoveAt(0);
            m.Graph.Node.Insert(1, first);
        }),
        M("node_output_is_graph_input", "BCONV3033", m => m.NodeNamed("relu").Output[0] = "X", also: "BCONV3032"),
        M("node_output_is_initializer", "BCONV3033", m => m.NodeNamed("add").Output[0] = "W", also: "BCONV3032"),
        M("value_produced_twice", "BCONV3033", m => m.Graph.Node.Add(Node("Relu", ["X"], ["R"], "relu2"))),
        M("graph_output_not_produced", "BCONV3034", m => m.Graph.Output.Add(TensorInfo("ghost", DataType.Float, 1)), onnxRejects: false),

        // Nodes and schemas.
        M("node_op_type_empty", "BCONV3050", m => m.NodeNamed("relu").OpType = ""),
        M("node_without_inputs_outputs", "BCONV3051", m => m.Graph.Node.Add(new NodeProto { OpType = "Nothing", Domain = "local", Name = "empty" })),
        M("node_domain_not_imported", "BCONV3052", m => m.NodeNamed("relu").Domain = "com.example"),
        M("operator_unknown", "BCONV3053", m => m.NodeNamed("relu").OpType = "Bogus"),
        M("operator_newer_than_opset", "BCONV3053", m => m.NodeNamed("relu").OpType = "Gelu"),
        M("operator_deprecated", "BCONV3054", m => m.Graph.Node.Add(Node("Upsample", ["X", "W"], ["U"], "upsample"))),
        M("too_few_inputs", "BCONV3055", m => m.NodeNamed("matmul").Input.RemoveAt(1)),
        M("too_many_inputs", "BCONV3056", m => m.NodeNamed("relu").Input.Add("X")),
        M("too_few_outputs", "BCONV3057", m => m.Graph.Node.Add(Node("Relu", ["X"], [], "relu_no_out"))),
        M("too_many_outputs", "BCONV3058", m => m.Graph.Node.Add(Node("Relu", ["X"], ["r1", "r2"], "relu_two_out"))),
        M("required_input_empty", "BCONV3059", m => m.NodeNamed("matmul").Input[0] = ""),
        M("required_output_empty", "BCONV3060", m => m.Graph.Node.Add(Node("Relu", ["X"], [""], "relu_empty_out"))),

        // Attributes.
        M("attribute_name_empty", "BCONV3080", m => m.NodeNamed("relu").Attribute.Add(new AttributeProto { Type = AttributeType.Int, I = 1 }), also: "BCONV3085"),
        M("attribute_twice", "BCONV3081", m => m.NodeNamed("transpose").Attribute.Add(m.NodeNamed("transpose").Attribute[0].Clone())),
        M("attribute_type_missing", "BCONV3082", m => m.NodeNamed("transpose").AttributeNamed("perm").Type = AttributeType.Undefined, also: "BCONV3087"),
        M("attribute_two_values", "BCONV3083", m => m.NodeNamed("transpose").AttributeNamed("perm").F = 2f),
        M("attribute_value_in_wrong_field", "BCONV3084", m =>
        {
            var perm = m.NodeNamed("transpose").AttributeNamed("perm");
            perm.Ints.Clear();
            perm.Floats.Add([1f, 0f]);
        }),
        M("attribute_unknown", "BCONV3085", m => m.NodeNamed("relu").Attribute.Add(new AttributeProto { Name = "foo", Type = AttributeType.Int, I = 1 })),
        M("attribute_required_missing", "BCONV3086", m =>
        {
            var node = m.NodeNamed("if");
            node.Attribute.Remove(node.AttributeNamed("else_branch"));
        }),
        M("attribute_type_wrong", "BCONV3087", m =>
        {
            var perm = m.NodeNamed("transpose").AttributeNamed("perm");
            perm.Ints.Clear();
            perm.Type = AttributeType.Int;
            perm.I = 1;
        }),
        M("attribute_graph_without_value", "BCONV3088", m => m.NodeNamed("if").AttributeNamed("then_branch").G = null),
        M("attribute_reference_in_main_graph", "BCONV3089", m =>
        {
            var perm = m.NodeNamed("transpose").AttributeNamed("perm");
            perm.Ints.Clear();
            perm.RefAttrName = "p";
        }, onnxRejects: false),
        M("attribute_reference_with_value", "BCONV3090", m => m.Functions[0].Node[1].Attribute[0].F = 0.5f, onnxRejects: false),
        M("attribute_reference_unknown", "BCONV3091", m => m.Functions[0].Node[1].Attribute[0].RefAttrName = "beta", onnxRejects: false),

        // Tensors.
        M("tensor_data_type_undefined", "BCONV3100", m => m.Initializer("B").DataType = 0),
        M("tensor_data_type_unknown", "BCONV3101", m => m.Initializer("B").DataType = 99),
        M("tensor_dims_negative", "BCONV3102", m => m.Initializer("B").Dims[0] = -4),
        M("tensor_two_data_fields", "BCONV3103", m => m.Initializer("B").RawData = ByteString.CopyFrom(new byte[16])),
        M("tensor_data_missing", "BCONV3104", m => m.Initializer("B").FloatData.Clear()),
        M("tensor_empty_with_data", "BCONV3105", m => m.Initializer("B").Dims[0] = 0),
        M("tensor_data_in_wrong_field", "BCONV3106", m =>
        {
            var b = m.Initializer("B");
            b.FloatData.Clear();
            b.Int64Data.Add([1, 2, 3, 4]);
        }),
        M("tensor_raw_data_too_short", "BCONV3107", m => m.Initializer("W").RawData = ByteString.CopyFrom(new byte[44]), onnxRejects: false),
        M("tensor_raw_data_too_long", "BCONV3107", m => m.Initializer("W").RawData = ByteString.CopyFrom(new byte[52]), onnxRejects: false),
        M("tensor_float_data_count", "BCONV3107", m => m.Initializer("B").FloatData.RemoveAt(3), onnxRejects: false),
        M("tensor_complex64_needs_pairs", "BCONV3107", m => m.Graph.Initializer.Add(new TensorProto
        {
            Name = "Z", DataType = (int)DataType.Complex64, Dims = { 2 }, FloatData = { 1f, 2f },
        }), onnxRejects: false),
        M("tensor_float16_in_float_data", "BCONV3106", m => m.Graph.Initializer.Add(new TensorProto
        {
            Name = "H", DataType = (int)DataType.Float16, Dims = { 2 }, FloatData = { 1f, 2f },
        })),
        M("tensor_int4_packing", "BCONV3107", m => m.Graph.Initializer.Add(new TensorProto
        {
            Name = "Q", DataType = (int)DataType.Int4, Dims = { 3 }, Int32Data = { 1, 2, 3 },
        })),
        M("tensor_string_in_raw_data", "BCONV3108", m => m.Graph.Initializer.Add(new TensorProto
        {
            Name = "Str", DataType = (int)DataType.String, Dims = { 2 }, RawData = ByteString.CopyFromUtf8("ab"),
        })),
        M("external_tensor_with_inline_data", "BCONV3109", m => External(m.Initializer("W"), "w.bin", keepData: true)),
        M("external_tensor_without_location", "BCONV3110", m =>
        {
            External(m.Initializer("W"), "w.bin", keepData: false);
            m.Initializer("W").ExternalData.RemoveAt(0);
        }),
        M("tensor_segment", "BCONV3111", m => m.Initializer("B").Segment = new TensorProto.Types.Segment { Begin = 0, End = 4 }, onnxRejects: false),
        M("external_absolute_path", "BCONV1011", m => External(m.Initializer("W"), "/etc/passwd", keepData: false)),
        M("external_parent_segment", "BCONV1012", m => External(m.Initializer("W"), "../../etc/passwd", keepData: false), onnxRejects: false),
        M("external_offset_not_a_number", "BCONV1010", m =>
        {
            External(m.Initializer("W"), "w.bin", keepData: false);
            m.Initializer("W").ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "abc" });
        }),

        // Sparse tensors.
        M("sparse_values_missing", "BCONV3120", m => m.Graph.SparseInitializer.Add(new SparseTensorProto { Dims = { 4 } }), also: "BCONV3029"),
        M("sparse_values_rank_2", "BCONV3121", m =>
        {
            var s = Sparse("SP", [4], [2], [0, 2], [1f, 2f]);
            s.Values.Dims.Add(1);
            m.Graph.SparseInitializer.Add(s);
        }),
        M("sparse_dense_dims_empty", "BCONV3122", m =>
        {
            var s = Sparse("SP", [4], [2], [0, 2], [1f, 2f]);
            s.Dims.Clear();
            m.Graph.SparseInitializer.Add(s);
        }),
        M("sparse_indices_int32", "BCONV3123", m =>
        {
            var s = Sparse("SP", [4], [2], [0, 2], [1f, 2f]);
            s.Indices.DataType = (int)DataType.Int32;
            s.Indices.Int64Data.Clear();
            s.Indices.Int32Data.Add([0, 2]);
            m.Graph.SparseInitializer.Add(s);
        }),
        M("sparse_indices_shape", "BCONV3124", m => m.Graph.SparseInitializer.Add(Sparse("SP", [4], [3], [0, 1, 2], [1f, 2f]))),
        M("sparse_index_out_of_range", "BCONV3125", m => m.Graph.SparseInitializer.Add(Sparse("SP", [4], [2], [0, 4], [1f, 2f]))),
        M("sparse_indices_unsorted", "BCONV3126", m => m.Graph.SparseInitializer.Add(Sparse("SP", [2, 2], [2, 2], [1, 0, 0, 1], [1f, 2f]))),

        // Model-local functions.
        M("function_name_empty", "BCONV3140", m => m.Functions[0].Name = ""),
        M("function_domain_empty", "BCONV3141", m => m.Functions[0].Domain = ""),
        M("function_twice", "BCONV3142", m => m.Functions.Add(Function()), onnxRejects: false),
        M("function_input_twice", "BCONV3143", m => m.Functions[0].Input.Add("a")),
        M("function_output_twice", "BCONV3144", m => m.Functions[0].Output.Add("c")),
        M("function_attribute_twice", "BCONV3145", m => m.Functions[0].Attribute.Add("alpha")),
        M("function_opset_incompatible", "BCONV3146", m => m.Functions[0].OpsetImport[0].Version = 13),
        M("function_calls_itself", "BCONV3147", m =>
        {
            var self = Node("AddRelu", ["c", "c"], ["d"], "f_self");
            self.Domain = "local";
            m.Functions[0].Node.Add(self);
            m.Functions[0].OpsetImport.Add(new OperatorSetIdProto { Domain = "local", Version = 1 });
        }),
        M("function_output_not_produced", "BCONV3148", m => m.Functions[0].Output[0] = "zz", onnxRejects: false),
        M("function_call_too_many_inputs", "BCONV3149", m => m.NodeNamed("call").Input.Add("S"), onnxRejects: false),
        M("function_call_unknown_attribute", "BCONV3150", m => m.NodeNamed("call").Attribute.Add(new AttributeProto { Name = "beta", Type = AttributeType.Float, F = 1f }), onnxRejects: false),
        M("function_node_domain_not_imported", "BCONV3052", m => m.Functions[0].OpsetImport.Clear()),
        M("function_node_input_undefined", "BCONV3032", m => m.Functions[0].Node[0].Input[1] = "q"),

        // Types: the checker propagates the types of graph inputs, initializers and value_info through the nodes.
        M("relu_bool_input", "BCONV3160", m => m.Graph.Node.Add(Node("Relu", ["C"], ["rc"], "relu_bool"))),
        M("relu_uint8_input_initializer", "BCONV3160", m =>
        {
            m.Graph.Initializer.Add(new TensorProto { Name = "U8", DataType = (int)DataType.Uint8, Dims = { 2 }, Int32Data = { 1, 2 } });
            m.Graph.Node.Add(Node("Relu", ["U8"], ["ru"], "relu_u8"));
        }),
        M("where_float_condition", "BCONV3160", m => m.Graph.Node.Add(Node("Where", ["X", "X", "X"], ["wx"], "where_float"))),
        M("reshape_float_shape", "BCONV3160", m => m.Graph.Node.Add(Node("Reshape", ["X", "B"], ["rs"], "reshape_float_shape"))),
        M("cast_to_int4_at_opset_17", "BCONV3160", m => m.Graph.Node.Add(Cast("X", "x4", DataType.Int4))),
        M("relu_of_a_propagated_bool", "BCONV3160", m =>
        {
            m.Graph.Node.Add(Node("Not", ["C"], ["nc"], "not"));
            m.Graph.Node.Add(Node("Relu", ["nc"], ["rn"], "relu_of_not"));
        }),
        M("add_float_and_double", "BCONV3161", m =>
        {
            m.Graph.Initializer.Add(new TensorProto { Name = "D", DataType = (int)DataType.Double, Dims = { 4 }, DoubleData = { 1, 2, 3, 4 } });
            m.Graph.Node.Add(Node("Add", ["XW", "D"], ["sd"], "add_double"));
        }),
        M("concat_float_and_int64_variadic", "BCONV3161", m =>
        {
            var concat = Node("Concat", ["X", "X", "Xi"], ["cx"], "concat_mixed");
            concat.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeType.Int, I = 0 });
            m.Graph.Node.Add(Cast("X", "Xi", DataType.Int64));
            m.Graph.Node.Add(concat);
        }, onnxRejects: false), // onnx 1.12 type-checks only the first member of a variadic formal (fixed in 1.13, onnx/onnx#4622)
        M("cast_output_declared_wrongly", "BCONV3162", m =>
        {
            m.Graph.Node.Add(Cast("X", "xi", DataType.Int64));
            m.Graph.Output.Add(TensorInfo("xi", DataType.Float, 2, 3));
        }),
        M("value_info_contradicts_add", "BCONV3162", m => m.Graph.ValueInfo.Add(TensorInfo("S", DataType.Double, 2, 4))),
        M("graph_output_contradicts_relu", "BCONV3162", m => m.Graph.Output[0].Type.TensorType.ElemType = (int)DataType.Int32),
        M("shape_output_declared_float", "BCONV3162", m =>
        {
            m.Graph.Node.Add(Node("Shape", ["X"], ["sx"], "shape"));
            m.Graph.ValueInfo.Add(TensorInfo("sx", DataType.Float, 2));
        }),
        M("constant_int_declared_float", "BCONV3162", m =>
        {
            var constant = Node("Constant", [], ["k"], "constant");
            constant.Attribute.Add(new AttributeProto { Name = "value_int", Type = AttributeType.Int, I = 3 });
            m.Graph.Node.Add(constant);
            m.Graph.Output.Add(TensorInfo("k", DataType.Float));
        }),
        M("constant_of_shape_default_declared_int64", "BCONV3162", m =>
        {
            m.Graph.Initializer.Add(new TensorProto { Name = "shp", DataType = (int)DataType.Int64, Dims = { 1 }, Int64Data = { 3 } });
            m.Graph.Node.Add(Node("ConstantOfShape", ["shp"], ["z"], "zeros"));
            m.Graph.Output.Add(TensorInfo("z", DataType.Int64, 3));
        }),
        M("subgraph_output_contradicts_outer_type", "BCONV3162", m =>
            m.NodeNamed("if").AttributeNamed("then_branch").G.Output[0].Type.TensorType.ElemType = (int)DataType.Double),
        M("subgraph_node_mixes_outer_types", "BCONV3161", m =>
        {
            var g = m.NodeNamed("if").AttributeNamed("else_branch").G;
            g.Node.Add(Node("Add", ["R", "Xd"], ["bad"], "else_add"));
            m.Graph.Node.Insert(0, Cast("X", "Xd", DataType.Double));
        }, onnxRejects: false), // onnx 1.12 infers subgraphs with check_type off, so it never type-checks their nodes
        M("if_output_declared_int64", "BCONV3162", m => m.Graph.Output[1].Type.TensorType.ElemType = (int)DataType.Int64),
        M("loop_body_input_declared_wrongly", "BCONV3162", m => m.Graph.Node.Add(Loop(DataType.Double, bodyNode: "Identity"))),
        // onnx 1.12 rejects it by another rule: the loop-carried body output (bool) differs from the Loop input (float).
        M("loop_body_untyped_cond_into_relu", "BCONV3160", m => m.Graph.Node.Add(Loop(null, bodyNode: "Relu"))),

        // Shapes (the core's shape inference, as full_check's strict shape inference).
        M("matmul_inner_dimensions_disagree", "BCONV3170", m =>
        {
            m.Graph.Initializer.Add(RawFloat("W45", [4, 5], new float[20]));
            m.Graph.Input.Add(TensorInfo("W45", DataType.Float, 4, 5));
            m.Graph.Node.Add(Node("MatMul", ["X", "W45"], ["XW45"], "matmul_45"));
        }),
        M("concat_of_different_ranks", "BCONV3170", m =>
        {
            m.Graph.Initializer.Add(RawFloat("V4", [4], new float[4]));
            m.Graph.Input.Add(TensorInfo("V4", DataType.Float, 4));
            var concat = Node("Concat", ["X", "V4"], ["XV"], "concat_ranks");
            concat.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeType.Int, I = 0 });
            m.Graph.Node.Add(concat);
        }),
        M("add_shapes_do_not_broadcast", "BCONV3170", m =>
        {
            m.Graph.Initializer.Add(RawFloat("B3", [3], new float[3]));
            m.Graph.Input.Add(TensorInfo("B3", DataType.Float, 3));
            m.Graph.Node.Add(Node("Add", ["XW", "B3"], ["XW3"], "add_3_to_4"));
        }),
        M("graph_output_dimension_contradicted", "BCONV3171", m => m.Graph.Output[0].Type.TensorType.Shape.Dim[0].DimValue = 5),
        M("value_info_rank_contradicted", "BCONV3171", m => m.Graph.ValueInfo.Add(TensorInfo("S", DataType.Float, 2, 4, 1))),

        // Subgraphs.
        M("subgraph_input_undefined", "BCONV3032", m => m.NodeNamed("if").AttributeNamed("then_branch").G.Node[0].Input[0] = "nowhere"),
        M("subgraph_redefines_outer_value", "BCONV3033", m =>
        {
            var g = m.NodeNamed("if").AttributeNamed("then_branch").G;
            g.Node[0].Output[0] = "R";
            g.Output[0].Name = "R";
        }),
        M("subgraph_operator_unknown", "BCONV3053", m => m.NodeNamed("if").AttributeNamed("else_branch").G.Node[0].OpType = "Negate"),
        M("subgraph_name_empty", "BCONV3020", m => m.NodeNamed("if").AttributeNamed("else_branch").G.Name = ""),
        M("subgraphs_nested_too_deep", "BCONV3198", m =>
        {
            var g = m.NodeNamed("if").AttributeNamed("then_branch").G;
            for (var i = 0; i < 70; i++)
            {
                var inner = Node("If", ["C"], [$"nest{i}"], $"nest{i}");
                var branch = new GraphProto { Name = $"b{i}" };
                inner.Attribute.Add(new AttributeProto { Name = "then_branch", Type = AttributeType.Graph, G = branch });
                inner.Attribute.Add(new AttributeProto { Name = "else_branch", Type = AttributeType.Graph, G = Branch($"e{i}", "Identity", $"eo{i}") });
                g.Node.Add(inner);
                g = branch;
            }
        }),
    ];

    /// <summary>A Loop over X whose body passes cond through and applies <paramref name="bodyNode"/> to the condition
    /// (Identity) or declares its loop-carried input as <paramref name="carried"/> (null: leaves every body input untyped).</summary>
    private static NodeProto Loop(DataType? carried, string bodyNode)
    {
        var body = new GraphProto { Name = "loop_body" };
        if (carried is { } type)
        {
            body.Input.Add(TensorInfo("i", DataType.Int64));
            body.Input.Add(TensorInfo("cond_in", DataType.Bool));
            body.Input.Add(TensorInfo("x_in", type, 2, 3));
        }
        else
        {
            body.Input.Add(new ValueInfoProto { Name = "i" });
            body.Input.Add(new ValueInfoProto { Name = "cond_in" });
            body.Input.Add(new ValueInfoProto { Name = "x_in" });
        }

        body.Node.Add(Node("Identity", ["cond_in"], ["cond_out"], "loop_cond"));
        body.Node.Add(Node(bodyNode, [bodyNode == "Relu" ? "cond_in" : "x_in"], ["x_out"], "loop_step"));
        body.Output.Add(new ValueInfoProto { Name = "cond_out" });
        body.Output.Add(new ValueInfoProto { Name = "x_out" });
        var loop = Node("Loop", ["", "C", "X"], ["lx"], "loop");
        loop.Attribute.Add(new AttributeProto { Name = "body", Type = AttributeType.Graph, G = body });
        return loop;
    }

    private static NodeProto Cast(string input, string output, DataType to)
    {
        var cast = Node("Cast", [input], [output], "cast_" + output);
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeType.Int, I = (long)to });
        return cast;
    }

    private static void External(TensorProto tensor, string location, bool keepData)
    {
        tensor.DataLocation = TensorProto.Types.DataLocation.External;
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
        tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "48" });
        if (!keepData)
        {
            tensor.RawData = ByteString.Empty;
        }
    }
}
