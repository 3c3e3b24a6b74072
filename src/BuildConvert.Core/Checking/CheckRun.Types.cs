using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Checking;

// Type rules for graph inputs, outputs and value_info: element types, shapes, nested sequence/map/optional types.
internal sealed partial class CheckRun
{
    private void CheckType(TypeProto type, bool requireShape, string label)
    {
        for (var depth = 0; ; depth++)
        {
            if (depth > options.MaxNestingDepth)
            {
                Report(DiagnosticCodes.NestingTooDeep, $"the type of {label} is nested more than {options.MaxNestingDepth} levels deep");
                return;
            }

            switch (type.ValueCase)
            {
                case TypeProto.ValueOneofCase.TensorType:
                    CheckTensorType(type.TensorType.ElemType, type.TensorType.Shape, requireShape, label);
                    return;
                case TypeProto.ValueOneofCase.SparseTensorType:
                    CheckTensorType(type.SparseTensorType.ElemType, type.SparseTensorType.Shape, requireShape, label);
                    return;
                case TypeProto.ValueOneofCase.SequenceType:
                    if (type.SequenceType.ElemType is null)
                    {
                        Report(DiagnosticCodes.TypeElementTypeInvalid, $"the sequence type of {label} has no elem_type");
                        return;
                    }

                    type = type.SequenceType.ElemType;
                    break;
                case TypeProto.ValueOneofCase.OptionalType:
                    if (type.OptionalType.ElemType is null)
                    {
                        Report(DiagnosticCodes.TypeElementTypeInvalid, $"the optional type of {label} has no elem_type");
                        return;
                    }

                    type = type.OptionalType.ElemType;
                    break;
                case TypeProto.ValueOneofCase.MapType:
                    if (!IsMapKey((DataType)type.MapType.KeyType))
                    {
                        Report(DiagnosticCodes.MapKeyTypeInvalid, $"the map type of {label} has key type {type.MapType.KeyType}; keys must be integers or strings");
                    }

                    if (type.MapType.ValueType is null)
                    {
                        Report(DiagnosticCodes.TypeValueMissing, $"the map type of {label} has no value_type");
                        return;
                    }

                    type = type.MapType.ValueType;
                    break;
                case TypeProto.ValueOneofCase.OpaqueType:
                    if (type.OpaqueType.Name.Length == 0)
                    {
                        Report(DiagnosticCodes.TypeValueMissing, $"the opaque type of {label} has no name");
                    }

                    return;
                default:
                    Report(DiagnosticCodes.TypeValueMissing, $"the type of {label} sets none of tensor_type, sequence_type, map_type, optional_type, sparse_tensor_type, opaque_type");
                    return;
            }

            requireShape = false;
        }
    }

    private void CheckTensorType(int elemType, TensorShapeProto? shape, bool requireShape, string label)
    {
        var type = (DataType)elemType;
        if (type == DataType.Undefined || !Enum.IsDefined(type))
        {
            Report(DiagnosticCodes.TypeElementTypeInvalid, $"{label} has the undefined or unknown elem_type {elemType}");
        }

        if (shape is null)
        {
            if (requireShape)
            {
                Report(DiagnosticCodes.TypeShapeMissing, $"{label} is a tensor without a shape");
            }

            return;
        }

        for (var i = 0; i < shape.Dim.Count; i++)
        {
            var dim = shape.Dim[i];
            if (dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dim.DimValue < 0)
            {
                Report(DiagnosticCodes.DimensionNegative, $"{label} has dimension {i} = {dim.DimValue}; dimensions must be >= 0 (use dim_param for unknown sizes)");
            }
        }
    }

    private static bool IsMapKey(DataType type) => type is DataType.Int8 or DataType.Int16 or DataType.Int32 or DataType.Int64
        or DataType.Uint8 or DataType.Uint16 or DataType.Uint32 or DataType.Uint64 or DataType.String;
}
