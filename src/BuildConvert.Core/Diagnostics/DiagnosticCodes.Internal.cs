namespace BuildConvert.Core.Diagnostics;

// BCONV9xxx: bugs in BuildConvert itself.
public static partial class DiagnosticCodes
{
    public static readonly DiagnosticDescriptor InternalError = Error(
        "BCONV9001", "Internal error",
        "This is a bug in BuildConvert. The message has the details; please report it with the command line.");
}
