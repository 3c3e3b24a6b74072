namespace BuildConvert.Core.Diagnostics;

// BCONV3xxx: the ONNX checker (one code per rule).
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor IrVersionMissing = Error(
        "BCONV3001", "The model has no ir_version",
        "Set ModelProto.ir_version (the exporter should do this; re-export the model).");

    public static readonly DiagnosticDescriptor IrVersionUnsupported = Error(
        "BCONV3002", "The model's ir_version is outside the supported range",
        "BuildConvert supports IR versions 1 to 14; the message gives the model's value.");

    public static readonly DiagnosticDescriptor OpsetImportMissing = Error(
        "BCONV3003", "The model imports no operator set",
        "Models with IR version 3 or later must list at least the default domain in opset_import.");

    public static readonly DiagnosticDescriptor OpsetImportNotAllowed = Error(
        "BCONV3004", "A model with IR version below 3 lists opset imports",
        "IR versions 1 and 2 have no opset_import; raise ir_version or remove the imports.");

    public static readonly DiagnosticDescriptor OpsetImportDuplicate = Error(
        "BCONV3005", "A domain is imported more than once",
        "Each domain may appear once in opset_import ('' and 'ai.onnx' are the same domain).");

    public static readonly DiagnosticDescriptor OpsetVersionUnknown = Error(
        "BCONV3006", "An imported opset version does not exist for its domain",
        "ai.onnx has versions 1-28 and ai.onnx.ml 1-5; the message names the domain and version.");

    public static readonly DiagnosticDescriptor MetadataKeyDuplicate = Error(
        "BCONV3007", "A metadata_props key appears twice",
        "Keys of metadata_props must be unique.");

    public static readonly DiagnosticDescriptor GraphMissing = Error(
        "BCONV3008", "The model has no graph",
        "A ModelProto must have a graph.");

    public static readonly DiagnosticDescriptor GraphNameMissing = Error(
        "BCONV3020", "A graph has no name",
        "Give every graph (including If/Loop/Scan bodies) a non-empty name.");

    public static readonly DiagnosticDescriptor ValueInfoNameMissing = Error(
        "BCONV3021", "A graph input or output has no name",
        "Every graph input and output needs a non-empty name.");

    public static readonly DiagnosticDescriptor ValueInfoTypeMissing = Error(
        "BCONV3022", "A main-graph input or output has no type",
        "Inputs and outputs of the main graph must declare their type.");

    public static readonly DiagnosticDescriptor TypeElementTypeInvalid = Error(
        "BCONV3023", "A type has an undefined or unknown element type",
        "Set elem_type to a defined TensorProto.DataType value.");

    public static readonly DiagnosticDescriptor TypeShapeMissing = Error(
        "BCONV3024", "A main-graph tensor input or output has no shape",
        "Declare a shape (its dims may be symbolic) for tensor inputs and outputs of the main graph.");

    public static readonly DiagnosticDescriptor TypeValueMissing = Error(
        "BCONV3025", "A type sets none of tensor/sequence/map/optional/sparse/opaque",
        "A TypeProto must say which kind of value it describes.");

    public static readonly DiagnosticDescriptor MapKeyTypeInvalid = Error(
        "BCONV3026", "A map type has an invalid key type",
        "Map keys must be an integer type or string.");

    public static readonly DiagnosticDescriptor DimensionNegative = Error(
        "BCONV3027", "A shape dimension is negative",
        "dim_value must be >= 0; use dim_param for an unknown dimension.");

    public static readonly DiagnosticDescriptor GraphInputDuplicate = Error(
        "BCONV3028", "A graph input name appears twice",
        "Graph input names must be unique (SSA).");

    public static readonly DiagnosticDescriptor InitializerNameMissing = Error(
        "BCONV3029", "An initializer has no name",
        "Initializers (dense and sparse) need a non-empty name.");

    public static readonly DiagnosticDescriptor InitializerDuplicate = Error(
        "BCONV3030", "Two initializers share a name",
        "Initializer names must be unique across initializer and sparse_initializer.");

    public static readonly DiagnosticDescriptor InitializerNotGraphInput = Error(
        "BCONV3031", "An initializer is not a graph input (IR version 3 or earlier)",
        "Up to IR version 3 every initializer must also be listed as a graph input.");

    public static readonly DiagnosticDescriptor NodeInputUndefined = Error(
        "BCONV3032", "A node uses a value that is not defined before it",
        "Node inputs must be graph inputs, initializers, outputs of earlier nodes or outer-scope values; nodes must be in topological order.");

    public static readonly DiagnosticDescriptor ValueAssignedTwice = Error(
        "BCONV3033", "A value is produced more than once",
        "A name may be assigned once (SSA): by one node output, graph input or initializer.");

    public static readonly DiagnosticDescriptor GraphOutputNotProduced = Error(
        "BCONV3034", "A graph output is not produced in the graph",
        "Each graph output must be a graph input, an initializer or a node output of that graph.");

    public static readonly DiagnosticDescriptor NodeOpTypeMissing = Error(
        "BCONV3050", "A node has no op_type",
        "Set op_type on every node.");

    public static readonly DiagnosticDescriptor NodeWithoutInputsAndOutputs = Error(
        "BCONV3051", "A node has neither inputs nor outputs",
        "A node must have at least one input or output.");

    public static readonly DiagnosticDescriptor NodeDomainNotImported = Error(
        "BCONV3052", "A node's domain is not imported",
        "Add the node's domain to the model's (or function's) opset_import.");

    public static readonly DiagnosticDescriptor OperatorUnknown = Error(
        "BCONV3053", "An operator does not exist in the imported opset version",
        "The op is not defined in its domain at the imported version (misspelled, or introduced later); raise the opset or use another op.");

    public static readonly DiagnosticDescriptor OperatorDeprecated = Error(
        "BCONV3054", "An operator is deprecated in the imported opset version",
        "Replace the operator, or import an older opset version.");

    public static readonly DiagnosticDescriptor NodeTooFewInputs = Error(
        "BCONV3055", "A node has fewer inputs than its operator needs",
        "Give all required inputs (the message lists the allowed range).");

    public static readonly DiagnosticDescriptor NodeTooManyInputs = Error(
        "BCONV3056", "A node has more inputs than its operator accepts",
        "Remove the extra inputs.");

    public static readonly DiagnosticDescriptor NodeTooFewOutputs = Error(
        "BCONV3057", "A node has fewer outputs than its operator needs",
        "Give all required outputs.");

    public static readonly DiagnosticDescriptor NodeTooManyOutputs = Error(
        "BCONV3058", "A node has more outputs than its operator declares",
        "Remove the extra outputs.");

    public static readonly DiagnosticDescriptor RequiredInputEmpty = Error(
        "BCONV3059", "A required node input is given as an empty name",
        "Only optional inputs may be omitted with an empty name.");

    public static readonly DiagnosticDescriptor RequiredOutputEmpty = Error(
        "BCONV3060", "A required node output is given as an empty name",
        "Only optional outputs may be omitted with an empty name.");

    public static readonly DiagnosticDescriptor AttributeNameMissing = Error(
        "BCONV3080", "An attribute has no name",
        "Every attribute needs a non-empty name.");

    public static readonly DiagnosticDescriptor AttributeDuplicate = Error(
        "BCONV3081", "An attribute appears twice on a node",
        "Each attribute name may appear once per node.");

    public static readonly DiagnosticDescriptor AttributeTypeMissing = Error(
        "BCONV3082", "An attribute has no type",
        "Set AttributeProto.type (required from IR version 2).");

    public static readonly DiagnosticDescriptor AttributeMultipleValues = Error(
        "BCONV3083", "An attribute sets more than one value field",
        "An attribute holds exactly one value (f, i, s, t, g, floats, ints, ...).");

    public static readonly DiagnosticDescriptor AttributeValueTypeMismatch = Error(
        "BCONV3084", "An attribute's value field does not match its type",
        "The field holding the value must be the one its type names (e.g. 'ints' for INTS).");

    public static readonly DiagnosticDescriptor AttributeUnknown = Error(
        "BCONV3085", "An attribute is not defined by the operator",
        "Remove the attribute or fix its name; the message names the node and op.");

    public static readonly DiagnosticDescriptor AttributeRequiredMissing = Error(
        "BCONV3086", "A required attribute is missing",
        "Add the attribute the operator requires.");

    public static readonly DiagnosticDescriptor AttributeTypeWrong = Error(
        "BCONV3087", "An attribute has a type the operator does not declare",
        "Give the attribute the type its operator declares (the message names both).");

    public static readonly DiagnosticDescriptor AttributeValueMissing = Error(
        "BCONV3088", "A tensor, graph or type attribute has no value",
        "Attributes of type TENSOR, SPARSE_TENSOR, GRAPH and TYPE_PROTO must carry their value.");

    public static readonly DiagnosticDescriptor AttributeReferenceOutsideFunction = Error(
        "BCONV3089", "An attribute reference is used outside a function",
        "ref_attr_name is only meaningful in the body of a function.");

    public static readonly DiagnosticDescriptor AttributeReferenceWithValue = Error(
        "BCONV3090", "An attribute reference also has a value",
        "An attribute with ref_attr_name takes its value from the function call; remove the value.");

    public static readonly DiagnosticDescriptor AttributeReferenceUnknown = Error(
        "BCONV3091", "An attribute reference names no attribute of the function",
        "ref_attr_name must name one of the function's attributes.");

    public static readonly DiagnosticDescriptor TensorDataTypeMissing = Error(
        "BCONV3100", "A tensor's data_type is UNDEFINED",
        "Set data_type on every tensor.");

    public static readonly DiagnosticDescriptor TensorDataTypeUnknown = Error(
        "BCONV3101", "A tensor's data_type is not a known type",
        "Use a TensorProto.DataType value defined by ONNX.");

    public static readonly DiagnosticDescriptor TensorDimsInvalid = Error(
        "BCONV3102", "A tensor's dims are negative or their product overflows",
        "Tensor dims must be >= 0 with a product that fits in 64 bits.");

    public static readonly DiagnosticDescriptor TensorMultipleDataFields = Error(
        "BCONV3103", "A tensor stores data in more than one field",
        "Use exactly one of raw_data or the typed field for the data type.");

    public static readonly DiagnosticDescriptor TensorDataMissing = Error(
        "BCONV3104", "A non-empty tensor has no data",
        "Store the tensor's elements in raw_data or the field for its type.");

    public static readonly DiagnosticDescriptor TensorDataForEmpty = Error(
        "BCONV3105", "A tensor with zero elements holds data",
        "A tensor with a zero dimension must not hold data.");

    public static readonly DiagnosticDescriptor TensorWrongDataField = Error(
        "BCONV3106", "A tensor's data is in the wrong field for its type",
        "Each data type has one typed field (e.g. int64_data for INT64, int32_data for FLOAT16).");

    public static readonly DiagnosticDescriptor TensorDataSizeMismatch = Error(
        "BCONV3107", "A tensor's data size does not match its dims and type",
        "The number of bytes or values stored must match the product of dims for the data type.");

    public static readonly DiagnosticDescriptor TensorStringInRawData = Error(
        "BCONV3108", "A string tensor uses raw_data",
        "STRING tensors must use string_data.");

    public static readonly DiagnosticDescriptor ExternalTensorHasInlineData = Error(
        "BCONV3109", "A tensor stored externally also holds inline data",
        "A tensor with data_location EXTERNAL must not set raw_data or a typed field.");

    public static readonly DiagnosticDescriptor ExternalTensorWithoutLocation = Error(
        "BCONV3110", "A tensor stored externally has no location",
        "Add a 'location' entry to external_data.");

    public static readonly DiagnosticDescriptor TensorSegmentUsed = Error(
        "BCONV3111", "A tensor uses the segment field",
        "Segments are not supported in model files.");

    public static readonly DiagnosticDescriptor SparseValuesMissing = Error(
        "BCONV3120", "A sparse tensor has no values",
        "Set SparseTensorProto.values.");

    public static readonly DiagnosticDescriptor SparseValuesRankInvalid = Error(
        "BCONV3121", "A sparse tensor's values are not rank 1",
        "values must be a 1-D tensor of the non-zero values.");

    public static readonly DiagnosticDescriptor SparseDimsInvalid = Error(
        "BCONV3122", "A sparse tensor's dense shape is invalid",
        "dims must be non-empty and every dimension positive.");

    public static readonly DiagnosticDescriptor SparseIndicesTypeInvalid = Error(
        "BCONV3123", "A sparse tensor's indices are not INT64",
        "indices must be an INT64 tensor.");

    public static readonly DiagnosticDescriptor SparseIndicesShapeInvalid = Error(
        "BCONV3124", "A sparse tensor's indices have the wrong shape",
        "indices must be [NNZ] (linear) or [NNZ, rank] (coordinates).");

    public static readonly DiagnosticDescriptor SparseIndexOutOfRange = Error(
        "BCONV3125", "A sparse tensor index is out of range",
        "Every index must lie inside the dense shape.");

    public static readonly DiagnosticDescriptor SparseIndicesUnsorted = Error(
        "BCONV3126", "Sparse tensor indices are not strictly increasing",
        "Indices must be sorted (lexicographically for coordinates) without repeats.");

    public static readonly DiagnosticDescriptor FunctionNameMissing = Error(
        "BCONV3140", "A model-local function has no name",
        "Give the function a non-empty name.");

    public static readonly DiagnosticDescriptor FunctionDomainMissing = Error(
        "BCONV3141", "A model-local function has no domain",
        "From IR version 8 a function must have a domain.");

    public static readonly DiagnosticDescriptor FunctionDuplicate = Error(
        "BCONV3142", "Two model-local functions have the same domain, name and overload",
        "Function identities must be unique.");

    public static readonly DiagnosticDescriptor FunctionInputDuplicate = Error(
        "BCONV3143", "A function lists an input twice",
        "Function input names must be unique.");

    public static readonly DiagnosticDescriptor FunctionOutputDuplicate = Error(
        "BCONV3144", "A function lists an output twice",
        "Function output names must be unique.");

    public static readonly DiagnosticDescriptor FunctionAttributeDuplicate = Error(
        "BCONV3145", "A function lists an attribute twice",
        "Function attribute names must be unique across attribute and attribute_proto.");

    public static readonly DiagnosticDescriptor FunctionOpsetIncompatible = Error(
        "BCONV3146", "A function imports an opset version incompatible with the model's",
        "When both import a domain at different versions, the ops used must have the same definition in both.");

    public static readonly DiagnosticDescriptor FunctionCallCycle = Error(
        "BCONV3147", "Model-local functions call each other in a cycle",
        "Functions must not be recursive.");

    public static readonly DiagnosticDescriptor FunctionOutputNotProduced = Error(
        "BCONV3148", "A function output is not produced by its body",
        "Each function output must be a function input or an output of a node in its body.");

    public static readonly DiagnosticDescriptor FunctionCallArity = Error(
        "BCONV3149", "A call of a model-local function passes too many inputs or outputs",
        "The call may not have more inputs or outputs than the function declares.");

    public static readonly DiagnosticDescriptor FunctionCallAttributeUnknown = Error(
        "BCONV3150", "A call of a model-local function passes an attribute the function does not declare",
        "Pass only attributes listed in the function's attribute or attribute_proto.");

    public static readonly DiagnosticDescriptor FunctionNestingTooDeep = Error(
        "BCONV3151", "Model-local functions call each other too deeply",
        "A chain of function calls (f0 calls f1 calls f2 ...) is longer than the limit (OnnxCheckerOptions.MaxFunctionNestingDepth, default 128). ONNX Runtime expands calls recursively and would overflow its stack; flatten the chain or inline the functions.");

    public static readonly DiagnosticDescriptor TypeConstraintViolated = Error(
        "BCONV3160", "A node input or output has a type its operator's type constraint does not allow",
        "Each input and output must have one of the types its formal's type variable allows in the imported opset version (or the concrete type the formal names); the message lists them. Insert a Cast or use an opset whose operator version accepts the type.");

    public static readonly DiagnosticDescriptor TypeVariableBoundToDifferentTypes = Error(
        "BCONV3161", "Inputs bound to one type variable have different types",
        "All inputs typed with one type variable (e.g. both inputs T of Add) must have the same type; cast one of them.");

    public static readonly DiagnosticDescriptor DeclaredTypeContradicted = Error(
        "BCONV3162", "A declared output or value_info type contradicts the type the operator produces",
        "The graph output or value_info entry declares a type that differs from the one the node's operator schema gives (from its inputs, its attributes or its schema); fix the declaration or the node.");

    public static readonly DiagnosticDescriptor ShapesContradictOperator = Error(
        "BCONV3170", "A node's input shapes or attributes contradict its operator",
        "Shape inference found inputs the operator cannot take together (MatMul of [2,3] by [4,5], Concat of different ranks, shapes that do not broadcast, an axis out of range); the message names the node and what disagrees. Fix the model or the declared input shapes.");

    public static readonly DiagnosticDescriptor DeclaredShapeContradicted = Error(
        "BCONV3171", "A declared shape contradicts the shape the operator produces",
        "A graph output or value_info entry declares a rank or a fixed dimension that differs from what shape inference derives from the node's inputs; fix the declaration (use a symbolic dimension where the size varies) or the node.");

    public static readonly DiagnosticDescriptor NestingTooDeep = Error(
        "BCONV3198", "Subgraphs are nested too deeply",
        "The checker stops descending at the nesting limit; the model is probably malformed.");

    public static readonly DiagnosticDescriptor TooManyProblems = Warning(
        "BCONV3199", "The checker stopped reporting after too many problems",
        "Fix the problems listed first and run the checker again.");
}
