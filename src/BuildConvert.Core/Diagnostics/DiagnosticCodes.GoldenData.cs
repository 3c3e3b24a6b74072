namespace BuildConvert.Core.Diagnostics;

// BCONV11xx: reading and writing golden data (ONNX test layout .pb files, NumPy .npy/.npz).
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor GoldenLayoutNotRecognized = Error(
        "BCONV1100", "The golden data folder has no recognised layout",
        "A golden folder holds either test_data_set_N/input_K.pb and output_K.pb (the ONNX test layout) or inputs.npz and outputs.npz. Check the Golden path.");

    public static readonly DiagnosticDescriptor GoldenFileNumbering = Error(
        "BCONV1101", "Golden data files are not numbered consecutively",
        "input_K.pb and output_K.pb must be numbered 0, 1, 2, ... without gaps or duplicates; a data set needs at least one output. Rename or regenerate the files.");

    public static readonly DiagnosticDescriptor GoldenProtoUnreadable = Error(
        "BCONV1102", "A golden .pb file is not a valid serialized message",
        "The file must hold one serialized onnx.TensorProto (or SequenceProto, OptionalProto, MapProto when the graph's type is a sequence, optional or map). Regenerate it, for example with `buildconvert golden`.");

    public static readonly DiagnosticDescriptor TensorDataInvalid = Error(
        "BCONV1103", "A tensor's data does not match its type and shape",
        "The element count of the dimensions, the data type and the bytes in raw_data or the typed data field must agree, and only one data field may be used. Regenerate the tensor.");

    public static readonly DiagnosticDescriptor TensorTypeUnsupported = Error(
        "BCONV1104", "A tensor uses a data type or storage that golden data cannot hold",
        "Golden tensors must have a defined element type and keep their data inline (no external data, no segments, no sparse tensors). Convert the value to a dense inline tensor.");

    public static readonly DiagnosticDescriptor ContainerValueInvalid = Error(
        "BCONV1105", "A sequence, optional or map value is malformed",
        "The elem_type must match the field that holds the values, map keys and values must have the same count, and nesting must stay within the limit. Regenerate the value.");

    public static readonly DiagnosticDescriptor NpyHeaderInvalid = Error(
        "BCONV1106", "A .npy header is not valid",
        "The file must start with the NumPy magic string, a format version 1.0, 2.0 or 3.0 and a header dictionary with descr, fortran_order and shape. Re-save the array with numpy.save.");

    public static readonly DiagnosticDescriptor NpyDtypeUnsupported = Error(
        "BCONV1107", "A .npy array has a dtype that golden data cannot hold",
        "Supported dtypes are bool, int8-64, uint8-64, float16/32/64, complex64/128, unicode (U) and bytes (S) strings. Object arrays are never unpickled and structured dtypes are rejected; convert the array with astype() first.");

    public static readonly DiagnosticDescriptor NpyDataSizeMismatch = Error(
        "BCONV1108", "A .npy array's data does not match its header",
        "The file is truncated, has extra bytes, or its shape and dtype declare more data than the file holds. Re-save the array with numpy.save.");

    public static readonly DiagnosticDescriptor NpzArchiveInvalid = Error(
        "BCONV1109", "A .npz file is not a readable zip archive",
        "The file must be a zip archive as written by numpy.savez or numpy.savez_compressed. Re-create it.");

    public static readonly DiagnosticDescriptor NpzEntryRejected = Error(
        "BCONV1110", "A .npz archive entry was rejected for safety",
        "Entry names must be plain relative names (no '..', no absolute paths), keys must be unique, and entry counts, sizes and compression ratios must stay within the reader's limits. Re-create the archive with numpy.savez.");

    public static readonly DiagnosticDescriptor GoldenValueNotWritable = Error(
        "BCONV1111", "A value cannot be written in the requested golden data format",
        "NumPy files hold tensors of numeric, bool and string types only (no bfloat16, float8, 4-bit or 2-bit types, sequences, maps or optionals). Use the ONNX test layout for such values.");

    public static readonly DiagnosticDescriptor GoldenFileIoError = Error(
        "BCONV1112", "A golden data file could not be read or written",
        "The message names the file and the operating system's error. Check that the path exists and is accessible.");

    public static readonly DiagnosticDescriptor GoldenFileNotRegular = Error(
        "BCONV1113", "A golden data file is empty or not a regular file",
        "Golden files (input_K.pb, output_K.pb, .npy, .npz) must be non-empty regular files: a FIFO, a device, a socket or a link to one is refused before it is opened, so reading can never block or run without end. Replace it with the real file.");

    public static readonly DiagnosticDescriptor GoldenPathOutsideFolder = Error(
        "BCONV1114", "A golden data set folder or file links outside the golden folder",
        "A symbolic link inside the golden folder (a test_data_set_N folder, a .pb, .npy or .npz file) resolves outside it. Copy the data into the golden folder instead of linking to it.");

    public static readonly DiagnosticDescriptor GoldenFileTooLarge = Error(
        "BCONV1115", "A golden data file is larger than the reader's limit",
        "A golden .pb file holds one serialized message, which protobuf limits to 2 GiB, and no golden value may be larger than one in-memory tensor. The size is checked before the file is read.");

    public static readonly DiagnosticDescriptor NpzEntryCorrupt = Error(
        "BCONV1116", "A .npz archive entry does not match its CRC-32",
        "The bytes an entry inflates to differ from the checksum stored in the archive: the file was damaged or altered after it was written. Re-create it with numpy.savez.");
}
