using System.Globalization;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Formats.Onnx;

/// <summary>
/// The parsed <c>external_data</c> entries of a tensor stored outside the model: the file (relative to the model's
/// folder), the byte offset in it and the byte length (null when the tensor runs to the end of the file).
/// </summary>
/// <param name="Location">The relative path as written in the model.</param>
/// <param name="Offset">The first byte of the tensor's data in the file.</param>
/// <param name="Length">The number of bytes, or null when not given.</param>
public sealed record ExternalDataReference(string Location, long Offset, long? Length)
{
    /// <summary>The keys ONNX defines for <c>external_data</c>.</summary>
    public const string LocationKey = "location";

    /// <summary>The key of the byte offset.</summary>
    public const string OffsetKey = "offset";

    /// <summary>The key of the byte length.</summary>
    public const string LengthKey = "length";

    /// <summary>Whether the tensor declares its data as stored externally.</summary>
    public static bool IsExternal(TensorProto tensor) => tensor.DataLocation == TensorProto.Types.DataLocation.External;

    /// <summary>
    /// Parses a tensor's entries. Returns null and sets <paramref name="problem"/> (code BCONV1010) when the
    /// location is missing or empty, or offset/length are not non-negative integers or are given twice.
    /// </summary>
    public static ExternalDataReference? TryParse(TensorProto tensor, string? file, out Diagnostic? problem)
    {
        string? location = null;
        long offset = 0;
        long? length = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in tensor.ExternalData)
        {
            if (!seen.Add(entry.Key) && entry.Key is LocationKey or OffsetKey or LengthKey)
            {
                problem = Invalid(tensor, $"key '{entry.Key}' is given more than once", file);
                return null;
            }

            switch (entry.Key)
            {
                case LocationKey:
                    location = entry.Value;
                    break;
                case OffsetKey:
                    if (!TryParseSize(entry.Value, out offset))
                    {
                        problem = Invalid(tensor, $"offset '{entry.Value}' is not a non-negative integer", file);
                        return null;
                    }

                    break;
                case LengthKey:
                    if (!TryParseSize(entry.Value, out var l))
                    {
                        problem = Invalid(tensor, $"length '{entry.Value}' is not a non-negative integer", file);
                        return null;
                    }

                    length = l;
                    break;
            }
        }

        if (string.IsNullOrEmpty(location))
        {
            problem = Invalid(tensor, "it has no 'location' entry", file);
            return null;
        }

        problem = null;
        return new ExternalDataReference(location, offset, length);
    }

    private static bool TryParseSize(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 0;

    private static Diagnostic Invalid(TensorProto tensor, string why, string? file) =>
        DiagnosticCodes.ExternalDataInvalidReference.Create(
            $"tensor '{tensor.Name}' is stored externally but {why}", file, $"tensor '{tensor.Name}'");
}
