namespace BuildConvert.Core.Diagnostics;

// BCONV13xx: reading TorchScript archives (this file: 1300-1329, the zip container, its layout, the pickles and the tensor storages).
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor TorchArchiveNotZip = Error(
        "BCONV1300", "The file is not a zip archive, so it is not a TorchScript archive",
        "A TorchScript archive (torch.jit.script(...).save / torch.jit.trace(...).save) is a zip file; this one has no zip end-of-central-directory record. Save the model with torch.jit.save, or name the right --format.");

    public static readonly DiagnosticDescriptor TorchLegacyPickle = Error(
        "BCONV1301", "The file is a legacy torch.save pickle, not a TorchScript archive",
        "Files written by torch.save before PyTorch 1.6 (or with _use_new_zipfile_serialization=False) are a plain pickle of Python objects: they name Python classes and carry no TorchScript code. Load the model in Python and save it with torch.jit.script(model).save(path) or torch.jit.trace(model, example).save(path).");

    public static readonly DiagnosticDescriptor TorchWeightsOnlyArchive = Error(
        "BCONV1302", "The archive is a torch.save archive (weights), not TorchScript",
        "The zip has data.pkl and tensor storages but no code/ folder: torch.save wrote a state_dict or a pickled Python module, which holds weights and class names but no graph to convert. Build the module in Python, load the weights, and save it with torch.jit.script(model).save(path) or torch.jit.trace(model, example).save(path).");

    public static readonly DiagnosticDescriptor TorchArchiveTruncated = Error(
        "BCONV1303", "The TorchScript archive is truncated",
        "The zip's central directory or an entry's data lies past the end of the file (an interrupted download or copy). Re-download or re-save the model.");

    public static readonly DiagnosticDescriptor TorchArchiveCorrupt = Error(
        "BCONV1304", "The TorchScript archive's zip structure is damaged",
        "A central-directory record, a local header or an entry's compressed data does not decode, the records disagree with each other, or entries overlap. Re-download or re-save the model.");

    public static readonly DiagnosticDescriptor TorchArchiveUnsafeEntryName = Error(
        "BCONV1305", "A zip entry has a name that could escape the archive's folder",
        "Entry names must be relative paths with forward slashes: no '..' or '.' segments, no leading '/', no drive letter, no backslash, no NUL or other control character. PyTorch never writes such names; the file was made or altered by something else. Nothing is extracted, but such an archive is refused.");

    public static readonly DiagnosticDescriptor TorchArchiveDuplicateEntry = Error(
        "BCONV1306", "Two zip entries have the same name",
        "Which of the two a reader would use is ambiguous (different tools pick different ones), so the archive is refused. PyTorch never writes duplicate names; re-save the model.");

    public static readonly DiagnosticDescriptor TorchArchiveLimitExceeded = Error(
        "BCONV1307", "A TorchScript archive exceeds a reader limit",
        "An entry inflates past its declared size, past the per-entry or total inflated-size limit, or declares a compression ratio no real model has (a zip bomb), or the archive has too many entries or a pickle nests too deeply. The message names the limit; raise it in TorchArchiveReadOptions if the model is genuine.");

    public static readonly DiagnosticDescriptor TorchArchiveUnsupportedEntry = Error(
        "BCONV1308", "A zip entry uses a feature the reader does not support",
        "Entries must be stored or deflated, unencrypted, on a single disk; PyTorch writes nothing else. Re-save the model with torch.jit.save.");

    public static readonly DiagnosticDescriptor TorchArchiveLayout = Error(
        "BCONV1309", "The zip does not have the layout of a TorchScript archive",
        "A TorchScript archive has one top-level folder holding version, data.pkl, constants.pkl, code/ and data/ (or, for version 1 and 2, model.json and code/). The message says what is missing or out of place.");

    public static readonly DiagnosticDescriptor TorchArchiveVersionUnsupported = Error(
        "BCONV1310", "The TorchScript archive's format version is not supported",
        "The archive's version record (version or .data/version) must be an integer from 1 to 10 (PyTorch 1.0 to 2.x). A newer PyTorch may write a newer version; save with a PyTorch that writes one of these.");

    public static readonly DiagnosticDescriptor TorchArchiveByteOrder = Error(
        "BCONV1311", "The TorchScript archive's byteorder record is not 'little' or 'big'",
        "The byteorder entry says in which byte order the tensor storages are written; only 'little' and 'big' exist. The archive is damaged.");

    public static readonly DiagnosticDescriptor TorchPickleDisallowedGlobal = Error(
        "BCONV1312", "A pickle in the archive references a Python global that is not allowed",
        "TorchScript pickles only name tensor rebuild functions (torch._utils._rebuild_tensor_v2), storage types (torch.FloatStorage, ...), collections.OrderedDict, torch.device, torch.jit._pickle helpers and TorchScript classes under __torch__. Any other global (os.system, builtins.eval, subprocess.Popen, ...) could run code when Python loads the file; it is refused and nothing from the file is executed. The message names the global, the pickle and its offset.");

    public static readonly DiagnosticDescriptor TorchPickleMalformed = Error(
        "BCONV1313", "A pickle in the archive is malformed",
        "The pickle ends early, uses an unknown opcode, pops an empty stack, reads a memo slot never written, or applies an operation to a value of the wrong kind. The message names the pickle, the opcode and its offset; re-save the model.");

    public static readonly DiagnosticDescriptor TorchPickleUnsupported = Error(
        "BCONV1314", "A pickle in the archive uses a feature TorchScript archives never use",
        "Out-of-band buffers (protocol 5), text persistent ids, extension codes, sets, and integers wider than 64 bits are not read. The message names the opcode and its offset.");

    public static readonly DiagnosticDescriptor TorchStorageMissing = Error(
        "BCONV1315", "A tensor refers to a storage the archive does not have",
        "Tensor storages live in data/<key> entries of the archive; the one the message names is absent. The archive is incomplete; re-save the model.");

    public static readonly DiagnosticDescriptor TorchStorageTooLarge = Error(
        "BCONV1316", "A tensor storage is larger than the file that should hold it",
        "The pickle declares a storage of more elements than its data/<key> entry has bytes for (elements x element size > entry size). The archive is truncated or was altered.");

    public static readonly DiagnosticDescriptor TorchTensorOutOfBounds = Error(
        "BCONV1317", "A tensor's view lies outside its storage",
        "The tensor's storage offset, sizes and strides (from torch._utils._rebuild_tensor_v2) address elements past the end of its storage, or are negative. The archive is damaged.");

    public static readonly DiagnosticDescriptor TorchQuantizedUnsupported = Error(
        "BCONV1318", "The archive holds quantized tensors, which are not supported",
        "Quantized tensors (torch._utils._rebuild_qtensor, torch.QInt8Storage, ...) carry scales and zero points per tensor or per channel that the reader does not turn into ONNX QuantizeLinear/DequantizeLinear yet. Convert the float model (before torch.quantization.convert) instead.");

    public static readonly DiagnosticDescriptor TorchTensorKindUnsupported = Error(
        "BCONV1319", "The archive holds a tensor of a kind or element type ONNX cannot represent",
        "Sparse, nested, meta and wrapper-subclass tensors, tensors pickled as raw bytes (torch.storage._load_from_bytes), and element types without an ONNX counterpart (complex32, bits) are not read. The message names the function or storage type.");

    public static readonly DiagnosticDescriptor TorchModuleTreeInvalid = Error(
        "BCONV1320", "The archive's data.pkl does not hold a TorchScript module",
        "data.pkl of a TorchScript archive is one object of a class under __torch__ (the root module), its attributes a dictionary. The message says what it holds instead.");

    public static readonly DiagnosticDescriptor TorchLegacyModelInvalid = Error(
        "BCONV1321", "A version 1 or 2 TorchScript archive's model.json is invalid",
        "Archives written by PyTorch 1.0 and 1.1 describe their modules, parameters and code files in model.json (the JSON form of torch.ModelDef). The message names the field that is missing or wrong; re-save the model with a newer PyTorch.");
}
