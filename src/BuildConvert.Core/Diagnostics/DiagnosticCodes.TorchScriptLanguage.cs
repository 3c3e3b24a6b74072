namespace BuildConvert.Core.Diagnostics;

// BCONV1330-1369: reading the serialized TorchScript language (the code/ files of a TorchScript archive).
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor TorchScriptSyntaxError = Error(
        "BCONV1330", "A TorchScript code file does not parse",
        "The serialized TorchScript source (code/...py in the archive) has a token or statement the TorchScript language does not allow there: an unterminated string or bracket, a bad number, an unexpected token, or a construct outside the language PyTorch writes. The message gives file:line:column and what was expected. The archive is damaged or was written by a tool other than torch.jit.save.");

    public static readonly DiagnosticDescriptor TorchScriptIndentationError = Error(
        "BCONV1331", "A TorchScript code file is indented inconsistently",
        "Blocks in TorchScript source are delimited by indentation as in Python: a line is indented deeper than a block allows, dedents to a level no enclosing block has, or mixes tabs and spaces. The message gives file:line:column.");

    public static readonly DiagnosticDescriptor TorchScriptTypeUnknown = Error(
        "BCONV1332", "A TorchScript type annotation names no known type",
        "An annotation (a parameter, return, attribute or annotate/unchecked_cast type) is not one of TorchScript's types (Tensor, int, float, bool, str, List[T], Tuple[...], Dict[K, V], Optional[T], NoneType, Device, ...) nor a class defined in the archive's code. The message gives file:line:column and the type.");

    public static readonly DiagnosticDescriptor TorchScriptSchemaInvalid = Error(
        "BCONV1333", "An operator schema string does not parse",
        "The operator schema table (aten-schemas.txt, written by eng/torchscript/dump-aten-schemas.py) or a schema given in code has a line that is not of the form name.overload(Type name=default, ...) -> Returns. The message names the line.");
}
