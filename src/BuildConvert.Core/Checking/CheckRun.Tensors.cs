using System.Buffers.Binary;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Values;
using DataType = BuildConvert.Core.Formats.Onnx.Proto.TensorProto.Types.DataType;

namespace BuildConvert.Core.Checking;

// Tensor rules: data type, one data field, data size per dtype, external data; sparse tensors.
internal sealed partial class CheckRun
{
    private void CheckTensor(TensorProto tensor, string label)
    {
        var where = $"tensor '{tensor.Name}'";
        var type = (DataType)tensor.DataType;
        if (type == DataType.Undefined)
        {
            Report(DiagnosticCodes.TensorDataTypeMissing, $"{label} has data_type UNDEFINED", where);
            return;
        }

        if (!Enum.IsDefined(type))
        {
            Report(DiagnosticCodes.TensorDataTypeUnknown, $"{label} has the unknown data_type {tensor.DataType}", where);
            return;
        }

        if (tensor.Segment is not null)
        {
            Report(DiagnosticCodes.TensorSegmentUsed, $"{label} uses the segment field, which is not supported", where);
        }

        var fields = DataFields(tensor);
        if (ExternalDataReference.IsExternal(tensor))
        {
            CheckExternalTensor(tensor, label, fields, where);
            return;
        }

        var count = TensorSizes.ElementCount(tensor);
        if (count is null)
        {
            Report(DiagnosticCodes.TensorDimsInvalid, $"{label} has dims [{string.Join(", ", tensor.Dims)}] that are negative or overflow", where);
            return;
        }

        if (count == 0)
        {
            if (fields.Count > 0)
            {
                Report(DiagnosticCodes.TensorDataForEmpty, $"{label} has 0 elements but holds data in {string.Join(", ", fields)}", where);
            }

            return;
        }

        if (fields.Count == 0)
        {
            Report(DiagnosticCodes.TensorDataMissing, $"{label} has {count} elements but no data", where);
            return;
        }

        if (fields.Count > 1)
        {
            Report(DiagnosticCodes.TensorMultipleDataFields, $"{label} holds data in more than one field ({string.Join(", ", fields)})", where);
            return;
        }

        var n = count.Value;
        var typeName = type.ToString().ToUpperInvariant();
        if (fields[0] == "raw_data")
        {
            if (type == DataType.String)
            {
                Report(DiagnosticCodes.TensorStringInRawData, $"{label} is a STRING tensor stored in raw_data; strings must use string_data", where);
                return;
            }

            var expected = TensorSizes.RawByteCount(tensor);
            if (expected is null || expected.Value != tensor.RawData.Length)
            {
                Report(DiagnosticCodes.TensorDataSizeMismatch,
                    $"{label} has {tensor.RawData.Length} bytes of raw_data but dims [{string.Join(", ", tensor.Dims)}] of {typeName} need {expected?.ToString() ?? "more than can be stored"}",
                    where);
            }

            return;
        }

        var (field, needed) = TypedField(type, n);
        if (fields[0] != field)
        {
            Report(DiagnosticCodes.TensorWrongDataField, $"{label} stores {typeName} values in {fields[0]}; they belong in {field}", where);
            return;
        }

        var actual = FieldCount(tensor, field);
        if (actual != needed)
        {
            Report(DiagnosticCodes.TensorDataSizeMismatch,
                $"{label} has {actual} values in {field} but dims [{string.Join(", ", tensor.Dims)}] of {typeName} need {needed}", where);
        }
    }

    private void CheckExternalTensor(TensorProto tensor, string label, List<string> fields, string where)
    {
        if (fields.Count > 0)
        {
            Report(DiagnosticCodes.ExternalTensorHasInlineData,
                $"{label} is stored externally but also holds data in {string.Join(", ", fields)}", where);
        }

        if (!tensor.ExternalData.Any(e => e.Key == ExternalDataReference.LocationKey))
        {
            Report(DiagnosticCodes.ExternalTensorWithoutLocation, $"{label} is stored externally but has no 'location' entry", where);
            return;
        }

        var reference = ExternalDataReference.TryParse(tensor, file, out var problem);
        if (reference is null)
        {
            Report(problem!);
            return;
        }

        problem = modelDirectory is null
            ? ExternalDataLocation.CheckSyntax(reference.Location, tensor.Name, file)
            : ExternalDataLoader.Validate(tensor, modelDirectory, file, out _, out _);
        if (problem is not null)
        {
            Report(problem);
        }
    }

    private static List<string> DataFields(TensorProto tensor)
    {
        var fields = new List<string>(1);
        if (tensor.FloatData.Count > 0)
        {
            fields.Add("float_data");
        }

        if (tensor.Int32Data.Count > 0)
        {
            fields.Add("int32_data");
        }

        if (tensor.StringData.Count > 0)
        {
            fields.Add("string_data");
        }

        if (tensor.Int64Data.Count > 0)
        {
            fields.Add("int64_data");
        }

        if (!tensor.RawData.IsEmpty)
        {
            fields.Add("raw_data");
        }

        if (tensor.DoubleData.Count > 0)
        {
            fields.Add("double_data");
        }

        if (tensor.Uint64Data.Count > 0)
        {
            fields.Add("uint64_data");
        }

        return fields;
    }

    private static (string Field, long Count) TypedField(DataType type, long n) =>
        ElementTypeTable.Find(type) is { } row ? (row.FieldName, row.FieldCount(n)) : ("int32_data", n);

    private static long FieldCount(TensorProto tensor, string field) => field switch
    {
        "float_data" => tensor.FloatData.Count,
        "double_data" => tensor.DoubleData.Count,
        "int64_data" => tensor.Int64Data.Count,
        "uint64_data" => tensor.Uint64Data.Count,
        "string_data" => tensor.StringData.Count,
        _ => tensor.Int32Data.Count,
    };

    private void CheckSparseTensor(SparseTensorProto sparse, string label)
    {
        if (sparse.Values is null)
        {
            Report(DiagnosticCodes.SparseValuesMissing, $"{label} has no values");
            return;
        }

        var values = sparse.Values;
        var where = $"tensor '{values.Name}'";
        var before = diagnostics.Count;
        CheckTensor(values, $"values of {label}");
        if (values.Dims.Count != 1)
        {
            Report(DiagnosticCodes.SparseValuesRankInvalid, $"values of {label} have rank {values.Dims.Count}; they must be rank 1", where);
            return;
        }

        if (sparse.Dims.Count == 0 || sparse.Dims.Any(d => d <= 0))
        {
            Report(DiagnosticCodes.SparseDimsInvalid, $"{label} has the dense shape [{string.Join(", ", sparse.Dims)}]; it must be non-empty with positive dims", where);
            return;
        }

        var nnz = values.Dims[0];
        if (sparse.Indices is null)
        {
            if (nnz != 0)
            {
                Report(DiagnosticCodes.SparseIndicesShapeInvalid, $"{label} has {nnz} values but no indices", where);
            }

            return;
        }

        var indices = sparse.Indices;
        CheckTensor(indices, $"indices of {label}");
        if (indices.DataType != (int)DataType.Int64)
        {
            Report(DiagnosticCodes.SparseIndicesTypeInvalid, $"indices of {label} have data_type {indices.DataType}; they must be INT64", where);
            return;
        }

        var rank = sparse.Dims.Count;
        var linear = indices.Dims.Count == 1;
        if (!(linear && indices.Dims[0] == nnz) && !(indices.Dims.Count == 2 && indices.Dims[0] == nnz && indices.Dims[1] == rank))
        {
            Report(DiagnosticCodes.SparseIndicesShapeInvalid,
                $"indices of {label} have shape [{string.Join(", ", indices.Dims)}]; expected [{nnz}] or [{nnz}, {rank}]", where);
            return;
        }

        if (diagnostics.Count != before || stopped || nnz > Array.MaxLength)
        {
            return;
        }

        var data = IndexData(indices, linear ? nnz : nnz * rank);
        if (data is null)
        {
            return;
        }

        var previous = -1L;
        for (long i = 0; i < nnz; i++)
        {
            long linearIndex;
            if (linear)
            {
                linearIndex = data(i);
                if (!InDenseRange(linearIndex, sparse.Dims))
                {
                    Report(DiagnosticCodes.SparseIndexOutOfRange, $"indices of {label}: index {linearIndex} at position {i} is outside the dense shape", where);
                    return;
                }
            }
            else
            {
                linearIndex = 0;
                for (var j = 0; j < rank; j++)
                {
                    var v = data(i * rank + j);
                    if (v < 0 || v >= sparse.Dims[j])
                    {
                        Report(DiagnosticCodes.SparseIndexOutOfRange, $"indices of {label}: coordinate {v} at [{i}, {j}] is outside dimension {sparse.Dims[j]}", where);
                        return;
                    }

                    linearIndex = unchecked(linearIndex * sparse.Dims[j] + v);
                }
            }

            if (linearIndex <= previous)
            {
                Report(DiagnosticCodes.SparseIndicesUnsorted, $"indices of {label}: the index at position {i} is not greater than the one before", where);
                return;
            }

            previous = linearIndex;
        }
    }

    private static bool InDenseRange(long index, IEnumerable<long> dims)
    {
        if (index < 0)
        {
            return false;
        }

        long size = 1;
        foreach (var d in dims)
        {
            if (size > long.MaxValue / d)
            {
                return true;
            }

            size *= d;
        }

        return index < size;
    }

    // The index values, or null when they are not stored inline in exactly the expected amount.
    private static Func<long, long>? IndexData(TensorProto indices, long count)
    {
        if (count <= 0 || count > Array.MaxLength / 8)
        {
            return null;
        }

        if (indices.Int64Data.Count > 0)
        {
            return indices.Int64Data.Count == count ? i => indices.Int64Data[(int)i] : null;
        }

        if (indices.RawData.Length == count * 8)
        {
            var raw = indices.RawData;
            return i => BinaryPrimitives.ReadInt64LittleEndian(raw.Span.Slice((int)(i * 8), 8));
        }

        return null;
    }
}
