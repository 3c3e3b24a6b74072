using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using BuildConvert.Core.Diagnostics;
using BuildConvert.MSBuild.Json;
using BuildConvert.Protocol;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace BuildConvert.MSBuild
{
    /// <summary>
    /// Converts, checks and validates the stale <c>&lt;OnnxModel&gt;</c> items in one run of the packaged tool:
    /// writes one JSON request listing every item, runs <c>dotnet exec buildconvert.dll msbuild-batch --request FILE</c>,
    /// and turns the JSON lines the tool prints (one per diagnostic, one summary per model) into build errors, warnings
    /// and messages. Request and answer keys are <see cref="BatchProtocol"/>'s, the option keys <see cref="TaskOptions"/>'.
    /// Its own file errors (the request, dependency lists, deleting outputs) are coded errors, not task crashes. The tool commits each output atomically; an item the tool did not report as passed has its output
    /// deleted, so a later build never takes it for up to date. A tool that exits non-zero without a diagnostic (a crash,
    /// a kill, a missing runtime) is error BCONV0201 with the command line to reproduce it.
    /// </summary>
    public sealed class ConvertOnnxModels : ToolTask
    {
        private const int TailLines = 20;
        private readonly Dictionary<string, ModelResult> results = new Dictionary<string, ModelResult>(StringComparer.Ordinal);
        private readonly Queue<string> tail = new Queue<string>();
        private Dictionary<string, ITaskItem> itemsById = new Dictionary<string, ITaskItem>(StringComparer.Ordinal);
        private readonly HashSet<KeyValuePair<string, string>> keysRead = new HashSet<KeyValuePair<string, string>>();
        private int errorsFromTool;

        /// <summary>The resolved stale items (see <see cref="ResolveOnnxModels"/>).</summary>
        [Required]
        public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>The tool assembly (<c>buildconvert.dll</c>).</summary>
        [Required]
        public string ToolAssembly { get; set; } = "";

        /// <summary>Where to write the JSON request.</summary>
        [Required]
        public string RequestFile { get; set; } = "";

        /// <summary>The <c>dotnet</c> host to run the tool with; empty for DOTNET_HOST_PATH, then <c>dotnet</c> on PATH.</summary>
        public string DotnetHost { get; set; } = "";

        /// <summary>
        /// The tool compiled ahead of time for this machine (an executable), run directly instead of
        /// <c>dotnet exec</c> <see cref="ToolAssembly"/>; empty to run the assembly. The targets set it when the package
        /// carries one for this runtime and <c>BuildConvertUseNativeTool</c> is not false.
        /// </summary>
        public string NativeTool { get; set; } = "";

        private bool RunsNative => !string.IsNullOrEmpty(NativeTool);

        /// <summary>The conversion cache folder the tool restores identical conversions from and stores passing ones in; empty for none.</summary>
        public string CacheDirectory { get; set; } = "";

        /// <summary>The items the tool converted, checked and (when asked) validated.</summary>
        [Output]
        public ITaskItem[] ConvertedModels { get; private set; } = Array.Empty<ITaskItem>();

        /// <inheritdoc />
        protected override string ToolName => RuntimeIsWindows() ? "dotnet.exe" : "dotnet";

        /// <inheritdoc />
        protected override Encoding StandardOutputEncoding => Encoding.UTF8;

        /// <inheritdoc />
        protected override Encoding StandardErrorEncoding => Encoding.UTF8;

        /// <inheritdoc />
        protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.Low;

        /// <inheritdoc />
        protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.Normal;

        /// <inheritdoc />
        public override bool Execute()
        {
            if (Models.Length == 0)
            {
                return true;
            }

            itemsById = new Dictionary<string, ITaskItem>(StringComparer.Ordinal);
            foreach (var model in Models)
            {
                itemsById[model.ItemSpec] = model;
            }

            if (!File.Exists(ToolAssembly))
            {
                LogCoded(TaskCodes.ToolNotFound, null, 0,
                    $"the buildconvert tool '{ToolAssembly}' does not exist; restore the BuildConvert.MSBuild package again or fix BuildConvertToolPath");
                DeleteOutputs();
                return false;
            }

            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(RequestFile))!);
                File.WriteAllText(RequestFile, BuildRequest(Models, TaskOptions.All, CacheDirectory), new UTF8Encoding(false));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is ArgumentException)
            {
                LogCoded(TaskCodes.RequestNotWritten, RequestFile, 0,
                    $"the request file '{RequestFile}' for the buildconvert tool could not be written: {e.Message}");
                DeleteOutputs();
                return false;
            }
            Log.LogMessage(MessageImportance.High, "BuildConvert: converting {0} model(s): {1}",
                Models.Length, string.Join(", ", Models.Select(m => m.ItemSpec)));

            var ran = base.Execute();
            var converted = new List<ITaskItem>();
            foreach (var model in Models)
            {
                if (results.TryGetValue(model.ItemSpec, out var result) && result.Passed && WriteDependencies(model, result.Dependencies))
                {
                    converted.Add(model);
                    continue;
                }

                DeleteOutput(model);
                if (ran && !Log.HasLoggedErrors)
                {
                    LogCoded(TaskCodes.ToolProtocolError, model.GetMetadata(ModelMetadata.InputFile), 0,
                        $"the tool gave no result for '{model.ItemSpec}'. To reproduce, run: {ReproCommand()}");
                }
            }

            ConvertedModels = converted.ToArray();
            return ran && !Log.HasLoggedErrors;
        }

        /// <inheritdoc />
        protected override string GenerateFullPathToTool()
        {
            if (RunsNative)
            {
                return NativeTool;
            }

            if (!string.IsNullOrEmpty(DotnetHost))
            {
                return DotnetHost;
            }

            var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
            {
                return host!;
            }

            foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            {
                try
                {
                    var candidate = Path.Combine(directory.Trim('"'), ToolName);
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
                catch (ArgumentException)
                {
                    // A malformed PATH entry: skip it.
                }
            }

            return ToolName;
        }

        /// <inheritdoc />
        protected override string GenerateCommandLineCommands()
        {
            var builder = new CommandLineBuilder();
            if (!RunsNative)
            {
                builder.AppendSwitch("exec");
                builder.AppendFileNameIfNotNull(ToolAssembly);
            }

            builder.AppendSwitch(BatchProtocol.CommandName);
            builder.AppendSwitch(BatchProtocol.RequestSwitch);
            builder.AppendFileNameIfNotNull(RequestFile);
            return builder.ToString();
        }

        /// <inheritdoc />
        protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
        {
            var line = singleLine.Trim();
            if (line.StartsWith("{", StringComparison.Ordinal) && TryHandleJson(line))
            {
                return;
            }

            if (line.Length > 0)
            {
                tail.Enqueue(line);
                if (tail.Count > TailLines)
                {
                    tail.Dequeue();
                }
            }

            Log.LogMessage(messageImportance, "{0}", singleLine);
        }

        /// <inheritdoc />
        protected override bool HandleTaskExecutionErrors()
        {
            if (errorsFromTool > 0)
            {
                return false;
            }

            var why = ExitCode == -1 ? "could not be started or was stopped" : $"exited with code {ExitCode.ToString(CultureInfo.InvariantCulture)} without reporting an error";
            var last = tail.Count == 0 ? "" : " Its last output: " + string.Join(" | ", tail);
            LogCoded(TaskCodes.ToolFailed, null, 0,
                $"the buildconvert tool {why} while converting {string.Join(", ", Models.Select(m => m.ItemSpec))}. To reproduce, run: {ReproCommand()}.{last}");
            return false;
        }

        /// <summary>The command line the build ran, quoted for a shell.</summary>
        internal string ReproCommand() => ShellQuoting.Join(RunsNative
            ? new[] { NativeTool, BatchProtocol.CommandName, BatchProtocol.RequestSwitch, RequestFile }
            : new[] { GenerateFullPathToTool(), "exec", ToolAssembly, BatchProtocol.CommandName, BatchProtocol.RequestSwitch, RequestFile });

        /// <summary>The keys the task read from the tool's lines, as (kind, key): the round-trip test checks that the tool writes every one.</summary>
        internal IReadOnlyCollection<KeyValuePair<string, string>> KeysRead => keysRead;

        /// <summary>The JSON request for <paramref name="models"/>: one object per item with the options the tool needs.</summary>
        internal static string BuildRequest(IEnumerable<ITaskItem> models) => BuildRequest(models, TaskOptions.All);

        /// <summary>The JSON request for <paramref name="models"/>, forwarding the metadata of <paramref name="options"/>.</summary>
        internal static string BuildRequest(IEnumerable<ITaskItem> models, IReadOnlyList<TaskOption> options) => BuildRequest(models, options, "");

        /// <summary>The JSON request for <paramref name="models"/>, with the conversion cache folder <paramref name="cacheDirectory"/> (empty: none).</summary>
        internal static string BuildRequest(IEnumerable<ITaskItem> models, IReadOnlyList<TaskOption> options, string cacheDirectory)
        {
            var json = new StringBuilder();
            json.Append("{\n  ");
            JsonText.AppendString(json, BatchProtocol.Request.Version);
            json.Append(": ").Append(BatchProtocol.Version.ToString(CultureInfo.InvariantCulture)).Append(",\n  ");
            if (!string.IsNullOrWhiteSpace(cacheDirectory))
            {
                JsonText.AppendString(json, BatchProtocol.Request.CacheDirectory);
                json.Append(": ");
                JsonText.AppendString(json, cacheDirectory.Trim());
                json.Append(",\n  ");
            }

            JsonText.AppendString(json, BatchProtocol.Request.Items);
            json.Append(": [");
            var first = true;
            foreach (var model in models)
            {
                json.Append(first ? "\n    {" : ",\n    {");
                first = false;
                Property(json, BatchProtocol.Item.Id, model.ItemSpec, true);
                Property(json, BatchProtocol.Item.Input, model.GetMetadata(ModelMetadata.InputFile));
                Property(json, BatchProtocol.Item.Output, model.GetMetadata(ModelMetadata.IntermediateFile));
                Property(json, BatchProtocol.Item.Golden, NullIfEmpty(model.GetMetadata(ModelMetadata.GoldenDirectory)));
                json.Append(", ");
                JsonText.AppendString(json, BatchProtocol.Item.Validate);
                json.Append(": ").Append(model.GetMetadata(ModelMetadata.ValidateResolved) == "true" ? "true" : "false");
                foreach (var option in options)
                {
                    Property(json, option.RequestKey, NullIfEmpty(model.GetMetadata(option.MetadataName).Trim()));
                }

                json.Append(" }");
            }

            json.Append("\n  ]\n}\n");
            return json.ToString();
        }

        /// <summary>Handles one line of the tool's output; false when it is not a protocol line.</summary>
        internal bool TryHandleJson(string line)
        {
            Dictionary<string, object?>? message;
            try
            {
                message = JsonText.Parse(line) as Dictionary<string, object?>;
            }
            catch (FormatException)
            {
                return false;
            }

            if (message is null)
            {
                return false;
            }

            var kind = Text(message, BatchProtocol.Line.Kind) ?? "";
            var read = new ToolLine(message, kind, keysRead);
            switch (kind)
            {
                case BatchProtocol.Kinds.Diagnostic:
                    LogDiagnostic(read);
                    return true;
                case BatchProtocol.Kinds.Model:
                    RecordModel(read);
                    return true;
                case BatchProtocol.Kinds.Done:
                    Log.LogMessage(MessageImportance.Normal, "BuildConvert: {0}", DiagnosticEscaping.Escape(read.Text(BatchProtocol.Done.Message) ?? line));
                    return true;
                default:
                    return false;
            }
        }

        private void LogDiagnostic(ToolLine message)
        {
            var code = DiagnosticEscaping.Escape(message.Text(BatchProtocol.Diagnostic.Code)) ?? "";
            var text = DiagnosticEscaping.Escape(message.Text(BatchProtocol.Diagnostic.Message)) ?? "";
            var location = DiagnosticEscaping.Escape(message.Text(BatchProtocol.Diagnostic.Location));
            if (!string.IsNullOrEmpty(location))
            {
                text += " [" + location + "]";
            }

            var item = message.Text(BatchProtocol.Diagnostic.Item);
            var file = DiagnosticEscaping.Escape(message.Text(BatchProtocol.Diagnostic.File));
            if (string.IsNullOrEmpty(file) && item != null && itemsById.TryGetValue(item, out var model))
            {
                file = model.GetMetadata(ModelMetadata.InputFile);
            }

            var line = message.Value(BatchProtocol.Diagnostic.LineNumber) is double d ? (int)d : 0;
            var helpLink = message.Text(BatchProtocol.Diagnostic.HelpLink) ?? (code.Length > 0 ? TaskCodes.HelpLink(code) : null);
            switch (message.Text(BatchProtocol.Diagnostic.Severity))
            {
                case BatchProtocol.Severities.Error:
                    errorsFromTool++;
                    Log.LogError("BuildConvert", code, code, helpLink, file, line, 0, 0, 0, "{0}", text);
                    break;
                case BatchProtocol.Severities.Warning:
                    Log.LogWarning("BuildConvert", code, code, helpLink, file, line, 0, 0, 0, "{0}", text);
                    break;
                default:
                    Log.LogMessage("BuildConvert", code, code, file, line, 0, 0, 0, MessageImportance.Normal, "{0}", text);
                    break;
            }
        }

        private void RecordModel(ToolLine message)
        {
            var id = message.Text(BatchProtocol.Model.Item) ?? "";
            var status = message.Text(BatchProtocol.Model.Status) ?? BatchProtocol.Statuses.Error;
            var dependencies = message.Value(BatchProtocol.Model.Dependencies) is List<object?> list
                ? list.OfType<string>().ToArray()
                : Array.Empty<string>();
            results[id] = new ModelResult(status == BatchProtocol.Statuses.Passed, dependencies);
            var summary = DiagnosticEscaping.Escape(message.Text(BatchProtocol.Model.Summary));
            var cached = message.Value(BatchProtocol.Model.Cached) is true ? ", cached" : "";
            Log.LogMessage(MessageImportance.High, "BuildConvert: {0}: {1}{2}{3}", DiagnosticEscaping.Escape(id), DiagnosticEscaping.Escape(status), cached,
                string.IsNullOrEmpty(summary) ? "" : " (" + summary + ")");
        }

        /// <summary>Records the files the conversion read; false (with BCONV0208, the output deleted) when it cannot.</summary>
        private bool WriteDependencies(ITaskItem model, IReadOnlyList<string> dependencies)
        {
            var path = model.GetMetadata(ModelMetadata.DependencyFile);
            if (string.IsNullOrEmpty(path))
            {
                return true;
            }

            try
            {
                if (dependencies.Count == 0)
                {
                    if (File.Exists(path))
                    {
                        File.Delete(path);
                    }

                    return true;
                }

                File.WriteAllText(path, "# Files the last conversion read besides the model and its golden data.\n" + string.Join("\n", dependencies) + "\n");
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is ArgumentException)
            {
                LogCoded(TaskCodes.DependencyFileNotWritten, path, 0,
                    $"'{model.ItemSpec}' was converted, but the list of files it read could not be written to '{path}': {e.Message}; the converted model is deleted so that the next build converts it again");
                return false;
            }
        }

        private void DeleteOutputs()
        {
            foreach (var model in Models)
            {
                DeleteOutput(model);
            }
        }

        /// <summary>Deletes what a model that did not pass left behind, so a later build never takes it for up to date;
        /// a file that cannot be deleted is BCONV0207.</summary>
        private void DeleteOutput(ITaskItem model)
        {
            var intermediate = model.GetMetadata(ModelMetadata.IntermediateFile);
            var paths = new[] { intermediate, string.IsNullOrEmpty(intermediate) ? "" : intermediate + ".data", model.GetMetadata(ModelMetadata.DependencyFile) };
            foreach (var path in paths)
            {
                if (string.IsNullOrEmpty(path) || (!File.Exists(path) && !Directory.Exists(path)))
                {
                    continue;
                }

                try
                {
                    File.Delete(path);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is ArgumentException)
                {
                    LogCoded(TaskCodes.OutputNotDeleted, path, 0,
                        $"'{model.ItemSpec}' did not pass, but its old output '{path}' could not be deleted: {e.Message}. Delete it by hand (or run dotnet clean) so that no later build takes it for up to date");
                }
            }
        }

        private void LogCoded(string code, string? file, int line, string message) =>
            Log.LogError("BuildConvert", code, code, TaskCodes.HelpLink(code), file, line, 0, 0, 0, "{0}", DiagnosticEscaping.Escape(message));

        private static string? Text(Dictionary<string, object?> message, string key) =>
            message.TryGetValue(key, out var value) ? value as string : null;

        private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

        private static void Property(StringBuilder json, string name, string? value, bool first = false)
        {
            json.Append(first ? " " : ", ");
            JsonText.AppendString(json, name);
            json.Append(": ");
            JsonText.AppendString(json, value);
        }


        private static bool RuntimeIsWindows() => Path.DirectorySeparatorChar == '\\';

        /// <summary>One protocol line, remembering which keys the task read.</summary>
        private sealed class ToolLine
        {
            private readonly Dictionary<string, object?> values;
            private readonly string kind;
            private readonly HashSet<KeyValuePair<string, string>> read;

            public ToolLine(Dictionary<string, object?> values, string kind, HashSet<KeyValuePair<string, string>> read)
            {
                this.values = values;
                this.kind = kind;
                this.read = read;
            }

            public object? Value(string key)
            {
                read.Add(new KeyValuePair<string, string>(kind, key));
                return values.TryGetValue(key, out var value) ? value : null;
            }

            public string? Text(string key) => Value(key) as string;
        }

        private sealed class ModelResult
        {
            public ModelResult(bool passed, IReadOnlyList<string> dependencies)
            {
                Passed = passed;
                Dependencies = dependencies;
            }

            public bool Passed { get; }

            public IReadOnlyList<string> Dependencies { get; }
        }
    }
}
