using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Checking;

// Model-level rules: IR version, metadata, opset imports; then the main graph and the local functions.
internal sealed partial class CheckRun
{
    public void CheckModel(ModelProto model)
    {
        irVersion = model.IrVersion;
        if (irVersion == 0)
        {
            Report(DiagnosticCodes.IrVersionMissing, "the model does not set ir_version");
        }
        else if (irVersion < 0 || irVersion > MaxIrVersion)
        {
            Report(DiagnosticCodes.IrVersionUnsupported, $"the model's ir_version {irVersion} is outside the supported range 1..{MaxIrVersion}");
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in model.MetadataProps)
        {
            if (!keys.Add(entry.Key))
            {
                Report(DiagnosticCodes.MetadataKeyDuplicate, $"metadata_props has the key '{entry.Key}' more than once");
            }
        }

        var opsets = ReadOpsets(model.OpsetImport, "the model");
        if (irVersion >= 3 || irVersion == 0)
        {
            if (model.OpsetImport.Count == 0)
            {
                Report(DiagnosticCodes.OpsetImportMissing, "the model has no opset_import (required from IR version 3)");
            }
        }
        else if (model.OpsetImport.Count > 0)
        {
            Report(DiagnosticCodes.OpsetImportNotAllowed, $"the model has IR version {irVersion} but lists opset_import (allowed from IR version 3)");
        }
        else
        {
            opsets[string.Empty] = 1;
        }

        if (irVersion >= 8)
        {
            IndexFunctions(model);
        }

        if (model.Graph is null)
        {
            Report(DiagnosticCodes.GraphMissing, "the model has no graph");
        }
        else
        {
            var context = new BodyContext(opsets, IsMainGraph: true, Function: null, Depth: 0, Where: string.Empty);
            CheckGraph(model.Graph, context, parent: null);
        }

        if (irVersion >= 8)
        {
            CheckFunctions(model, opsets);
        }

        if (options.InferShapes && model.Graph is not null && !diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            CheckShapes(model);
        }
    }

    private Dictionary<string, long> ReadOpsets(IEnumerable<OperatorSetIdProto> imports, string owner)
    {
        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var import in imports)
        {
            var domain = NormalizeDomain(import.Domain);
            var shown = import.Domain.Length == 0 ? "'' (ai.onnx)" : $"'{import.Domain}'";
            if (!opsets.TryAdd(domain, import.Version))
            {
                Report(DiagnosticCodes.OpsetImportDuplicate, $"{owner} imports domain {shown} more than once");
                continue;
            }

            var max = registry.MaxOpsetVersion(domain);
            if (max is not null && (import.Version < 1 || import.Version > max.Value))
            {
                Report(DiagnosticCodes.OpsetVersionUnknown,
                    $"{owner} imports domain {shown} at version {import.Version}, which does not exist (known versions 1..{max})");
            }
            else if (import.Version < 1 || import.Version > int.MaxValue)
            {
                Report(DiagnosticCodes.OpsetVersionUnknown, $"{owner} imports domain {shown} at the invalid version {import.Version}");
            }
        }

        return opsets;
    }
}
