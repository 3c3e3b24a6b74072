namespace BuildConvert.Core.Diagnostics;

// BCONV2230-2259: turning a TorchScript module (object tree + code) into an ATen-level graph (the front end's
// interpreter: inlining, schema binding, constant folding, control flow).
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor TorchScriptMethodNotFound = Error(
        "BCONV2230", "The TorchScript module has no method of that name",
        "The method to convert (forward unless another is named) is not defined on the root module's class. The message lists the methods the class has; name one of them.");

    public static readonly DiagnosticDescriptor TorchScriptUnknownOperator = Error(
        "BCONV2231", "TorchScript code calls operators that PyTorch 1.13's schema table does not have",
        "Every torch.*, ops.aten.*, ops.prim.* call and tensor method must name an aten:: or prim:: operator of the schema table (aten-schemas.txt). The message lists every unknown call with its file:line:column; custom operators (torch.ops.<library>.*) and operators newer than PyTorch 1.13 have no conversion.");

    public static readonly DiagnosticDescriptor TorchScriptNoMatchingOverload = Error(
        "BCONV2232", "TorchScript calls match no overload of their operator",
        "The arguments' types (after TorchScript's implicit conversions: int to float, numbers to Scalar, tuples to lists, a number to a fixed-size list) fit none of the operator's schemas, or a keyword names no argument. The message lists every such call with its file:line:column, the argument types and the overloads tried.");

    public static readonly DiagnosticDescriptor TorchScriptInlineDepthExceeded = Error(
        "BCONV2233", "TorchScript calls nest deeper than the inlining limit",
        "Method and function calls are inlined; a chain deeper than TorchFrontEndOptions.MaxCallDepth (or recursion, which TorchScript itself forbids) is refused. The message shows the innermost calls.");

    public static readonly DiagnosticDescriptor TorchScriptUnsupportedConstruct = Error(
        "BCONV2234", "TorchScript code uses a construct the front end cannot convert",
        "The construct has no static graph form as written: break/continue, a loop or branch that changes a list, tuple or module (not a tensor or scalar) depending on a run-time value, indexing a list with a run-time index, a while loop that runs past the unrolling limit, or a call of a value that is not callable. The message gives file:line:column and the construct.");

    public static readonly DiagnosticDescriptor TorchScriptNameUndefined = Error(
        "BCONV2235", "TorchScript code reads a name or attribute that has no value",
        "A variable is read before it is assigned, a global names no function or class of the archive's code, or an attribute is neither in the module's data.pkl entry nor a Final constant of its class. The message gives file:line:column and the name.");

    public static readonly DiagnosticDescriptor TorchScriptInputSpecInvalid = Error(
        "BCONV2236", "The input specification does not fit the method's parameters",
        "An input spec names no parameter of the method, gives a tensor shape for a scalar parameter, or a parameter without a default has no spec and no type annotation to derive one from. The message names the parameter and the method's signature.");

    public static readonly DiagnosticDescriptor TorchScriptExceptionRaised = Error(
        "BCONV2237", "The TorchScript method always raises an exception for these inputs",
        "With the input types and shapes given, the code reaches a raise (or a failed assert) unconditionally, e.g. a module's input check that the shape fails (\"expected 4D input (got 3D input)\"). The message carries the exception text; give the shapes the model expects.");

    public static readonly DiagnosticDescriptor TorchScriptClassNotFound = Error(
        "BCONV2238", "A module's class has no code in the archive",
        "An object of data.pkl names a class (__torch__.x.y.Z) that no code/ file defines, so its methods and constants cannot be read. The archive is incomplete; re-save it with torch.jit.save.");

    public static readonly DiagnosticDescriptor TorchScriptTypeMismatch = Error(
        "BCONV2239", "A TorchScript value is used in a way its type does not allow",
        "An operand is of a type the operation cannot take: a subscript of a scalar, a tuple unpacked into the wrong number of names, arithmetic on a string, a call of a module without that method, an attribute of a tensor TorchScript does not define. The message gives file:line:column, the operation and the types.");
}
