using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace BuildConvert.MSBuild
{
    /// <summary>
    /// Resolves <c>&lt;OnnxModel&gt;</c> items into what the build needs: the converted file's intermediate path and its
    /// path in the output folder (pure functions of the item's metadata), the golden folder and whether to validate.
    /// With <see cref="UpdateStamps"/> it also writes each item's options stamp (only when its content changes) and
    /// reports in <see cref="StaleModels"/> the items whose output is missing or older than any of its inputs: the model,
    /// the stamp, every file (and folder) under the golden folder, and the secondary files the tool reported last time.
    /// </summary>
    public sealed class ResolveOnnxModels : Task
    {
        /// <summary>The <c>&lt;OnnxModel&gt;</c> items.</summary>
        [Required]
        public ITaskItem[] Models { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>The project folder; relative Golden and Include paths are taken from it.</summary>
        [Required]
        public string ProjectDirectory { get; set; } = "";

        /// <summary>The folder for converted models, stamps and the request file (BuildConvertOutputDir).</summary>
        [Required]
        public string IntermediateDirectory { get; set; } = "";

        /// <summary>The tool assembly; its version and timestamp are part of every stamp.</summary>
        public string ToolPath { get; set; } = "";

        /// <summary>Whether to write stamps and compute <see cref="StaleModels"/> (false in design-time builds and clean).</summary>
        public bool UpdateStamps { get; set; }

        /// <summary>Every item, with the resolved metadata added.</summary>
        [Output]
        public ITaskItem[] ResolvedModels { get; private set; } = Array.Empty<ITaskItem>();

        /// <summary>The resolved items that must be converted again.</summary>
        [Output]
        public ITaskItem[] StaleModels { get; private set; } = Array.Empty<ITaskItem>();

        /// <inheritdoc />
        public override bool Execute()
        {
            var projectDirectory = Path.GetFullPath(ProjectDirectory);
            var intermediate = Path.GetFullPath(Path.Combine(projectDirectory, IntermediateDirectory));
            var resolved = new List<ITaskItem>();
            var byOutput = new Dictionary<string, ITaskItem>(StringComparer.OrdinalIgnoreCase);
            foreach (var model in Models)
            {
                var item = Resolve(model, projectDirectory, intermediate);
                if (item is null)
                {
                    continue;
                }

                var output = item.GetMetadata(ModelMetadata.IntermediateFile);
                if (byOutput.TryGetValue(output, out var other))
                {
                    Error(TaskCodes.DuplicateOutput, model.ItemSpec,
                        $"<OnnxModel> items '{other.ItemSpec}' and '{model.ItemSpec}' both produce '{item.GetMetadata(ModelMetadata.TargetPath)}'; set OutputPath on one of them");
                    continue;
                }

                byOutput.Add(output, item);
                resolved.Add(item);
            }

            ResolvedModels = resolved.ToArray();
            if (Log.HasLoggedErrors)
            {
                return false;
            }

            if (UpdateStamps)
            {
                var tool = ToolIdentity();
                var stale = new List<ITaskItem>();
                foreach (var item in resolved)
                {
                    if (!WriteStamp(item, tool))
                    {
                        continue;
                    }

                    if (IsStale(item, out var reason))
                    {
                        Log.LogMessage(MessageImportance.Low, "BuildConvert: {0} is out of date: {1}", item.ItemSpec, reason);
                        stale.Add(item);
                    }
                }

                StaleModels = stale.ToArray();
            }

            return !Log.HasLoggedErrors;
        }

        private ITaskItem? Resolve(ITaskItem model, string projectDirectory, string intermediate)
        {
            var input = Path.GetFullPath(Path.Combine(projectDirectory, model.ItemSpec));
            if (!File.Exists(input) && !Directory.Exists(input))
            {
                Error(TaskCodes.InputNotFound, model.ItemSpec, $"<OnnxModel> '{model.ItemSpec}': the model '{input}' does not exist");
                return null;
            }

            var targetPath = model.GetMetadata(ModelMetadata.OutputPath).Trim();
            if (targetPath.Length == 0)
            {
                targetPath = DefaultTargetPath(input, projectDirectory);
            }
            else
            {
                targetPath = targetPath.Replace('\\', '/');
                if (Path.IsPathRooted(targetPath) || targetPath.Split('/').Any(p => p == ".." || p == ".") || targetPath.EndsWith("/", StringComparison.Ordinal))
                {
                    Error(TaskCodes.InvalidMetadata, model.ItemSpec,
                        $"<OnnxModel> '{model.ItemSpec}': OutputPath '{targetPath}' must be a relative file path inside the output folder (no '..', not rooted)");
                    return null;
                }
            }

            var validateText = model.GetMetadata(ModelMetadata.Validate).Trim();
            bool? validate = null;
            if (validateText.Length > 0)
            {
                if (!bool.TryParse(validateText, out var v))
                {
                    Error(TaskCodes.InvalidMetadata, model.ItemSpec,
                        $"<OnnxModel> '{model.ItemSpec}': Validate '{validateText}' must be true or false");
                    return null;
                }

                validate = v;
            }

            var goldenText = model.GetMetadata(ModelMetadata.Golden).Trim();
            string golden;
            if (goldenText.Length > 0)
            {
                golden = Path.GetFullPath(Path.Combine(projectDirectory, goldenText));
                if (!Directory.Exists(golden))
                {
                    Error(TaskCodes.InputNotFound, model.ItemSpec,
                        $"<OnnxModel> '{model.ItemSpec}': the Golden folder '{golden}' does not exist");
                    return null;
                }
            }
            else
            {
                golden = ConventionalGolden(input);
            }

            var intermediateFile = Path.Combine(intermediate, targetPath.Replace('/', Path.DirectorySeparatorChar));
            var item = new TaskItem(model);
            item.SetMetadata(ModelMetadata.InputFile, input);
            item.SetMetadata(ModelMetadata.TargetPath, targetPath.Replace('/', Path.DirectorySeparatorChar));
            item.SetMetadata(ModelMetadata.IntermediateFile, intermediateFile);
            item.SetMetadata(ModelMetadata.StampFile, intermediateFile + ".options");
            item.SetMetadata(ModelMetadata.DependencyFile, intermediateFile + ".deps");
            item.SetMetadata(ModelMetadata.GoldenDirectory, golden);
            item.SetMetadata(ModelMetadata.ValidateResolved, (validate ?? golden.Length > 0) ? "true" : "false");
            return item;
        }

        /// <summary>The output's path in the output folder when OutputPath is not set: the model's path relative to the
        /// project with the extension <c>.onnx</c>, or just its name with <c>.onnx</c> when it lies outside the project.</summary>
        internal static string DefaultTargetPath(string input, string projectDirectory)
        {
            var root = projectDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
            var name = Path.GetFileName(input.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            var relative = input.StartsWith(root, StringComparison.Ordinal)
                ? input.Substring(root.Length)
                : name;
            var directory = Path.GetDirectoryName(relative) ?? "";
            var file = Path.GetFileNameWithoutExtension(relative) + ".onnx";
            return (directory.Length == 0 ? file : Path.Combine(directory, file)).Replace('\\', '/');
        }

        /// <summary>The golden folder used when Golden is not set: <c>&lt;model name&gt;.golden</c> beside the model, else the
        /// model's own folder when it holds <c>test_data_set_*</c> folders (the ONNX test layout); empty when neither.</summary>
        internal static string ConventionalGolden(string input)
        {
            var directory = Path.GetDirectoryName(input) ?? "";
            var beside = Path.Combine(directory, Path.GetFileNameWithoutExtension(input) + ".golden");
            if (Directory.Exists(beside))
            {
                return beside;
            }

            if (File.Exists(input) && Directory.Exists(directory) && Directory.EnumerateDirectories(directory, "test_data_set_*").Any())
            {
                return directory;
            }

            return "";
        }

        private string ToolIdentity()
        {
            if (string.IsNullOrEmpty(ToolPath) || !File.Exists(ToolPath))
            {
                return "missing";
            }

            var info = new FileInfo(ToolPath);
            var version = FileVersionInfo.GetVersionInfo(ToolPath).ProductVersion ?? "";
            return version + ";" + info.Length.ToString(CultureInfo.InvariantCulture) + ";" +
                   info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>The stamp's text: every option that changes the result, then a hash of those lines.</summary>
        internal static string StampText(ITaskItem item, string toolIdentity) => StampText(item, toolIdentity, TaskOptions.All);

        /// <summary>The stamp's text with the metadata of <paramref name="options"/> (in their order) as its option lines.</summary>
        internal static string StampText(ITaskItem item, string toolIdentity, IReadOnlyList<TaskOption> options)
        {
            var body = new StringBuilder();
            body.Append("tool=").Append(toolIdentity).Append('\n');
            body.Append("input=").Append(item.GetMetadata(ModelMetadata.InputFile)).Append('\n');
            body.Append("golden=").Append(item.GetMetadata(ModelMetadata.GoldenDirectory)).Append('\n');
            body.Append("validate=").Append(item.GetMetadata(ModelMetadata.ValidateResolved)).Append('\n');
            foreach (var option in options)
            {
                body.Append(option.MetadataName).Append('=').Append(item.GetMetadata(option.MetadataName).Trim()).Append('\n');
            }

            string hash;
            using (var sha = SHA256.Create())
            {
                hash = string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(body.ToString())).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
            }

            return "# BuildConvert options stamp: the model is converted again when this file changes.\n" + body + "sha256=" + hash + "\n";
        }

        /// <summary>Writes the item's stamp when its text changed; false (with BCONV0205) when it cannot be written.</summary>
        private bool WriteStamp(ITaskItem item, string toolIdentity)
        {
            var path = item.GetMetadata(ModelMetadata.StampFile);
            var text = StampText(item, toolIdentity);
            try
            {
                if (File.Exists(path) && string.Equals(File.ReadAllText(path), text, StringComparison.Ordinal))
                {
                    return true;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var temp = path + ".tmp";
                File.WriteAllText(temp, text);
                if (File.Exists(path))
                {
                    File.Delete(path);
                }

                File.Move(temp, path);
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is ArgumentException)
            {
                Error(TaskCodes.StampNotWritten, item.ItemSpec,
                    $"<OnnxModel> '{item.ItemSpec}': its options stamp '{path}' could not be written: {e.Message}");
                return false;
            }
        }

        private static bool IsStale(ITaskItem item, out string reason)
        {
            var output = new FileInfo(item.GetMetadata(ModelMetadata.IntermediateFile));
            if (!output.Exists)
            {
                reason = "no converted model yet";
                return true;
            }

            var outputTime = output.LastWriteTimeUtc;
            foreach (var input in Inputs(item))
            {
                var info = new FileInfo(input);
                DateTime time;
                if (info.Exists)
                {
                    time = info.LastWriteTimeUtc;
                }
                else if (Directory.Exists(input))
                {
                    time = Directory.GetLastWriteTimeUtc(input);
                }
                else
                {
                    reason = "'" + input + "' no longer exists";
                    return true;
                }

                if (time > outputTime)
                {
                    reason = "'" + input + "' is newer than the converted model";
                    return true;
                }
            }

            reason = "";
            return false;
        }

        /// <summary>Everything the conversion of <paramref name="item"/> read last time.</summary>
        private static IEnumerable<string> Inputs(ITaskItem item)
        {
            var input = item.GetMetadata(ModelMetadata.InputFile);
            yield return input;
            if (Directory.Exists(input))
            {
                // A folder model (SavedModel style): a change to any file inside it is a change to the model; folders
                // count too, so that an added or deleted file is seen.
                foreach (var entry in FolderEntries(input, item.GetMetadata(ModelMetadata.IntermediateFile)))
                {
                    yield return entry;
                }
            }

            yield return item.GetMetadata(ModelMetadata.StampFile);
            var golden = item.GetMetadata(ModelMetadata.GoldenDirectory);
            if (golden.Length > 0 && Directory.Exists(golden))
            {
                foreach (var entry in GoldenEntries(golden, item.GetMetadata(ModelMetadata.IntermediateFile)))
                {
                    yield return entry;
                }
            }

            var dependencies = item.GetMetadata(ModelMetadata.DependencyFile);
            if (File.Exists(dependencies))
            {
                foreach (var line in File.ReadAllLines(dependencies))
                {
                    if (line.Length > 0 && line[0] != '#')
                    {
                        yield return line;
                    }
                }
            }
        }

        /// <summary>Every file and folder under <paramref name="folder"/>, in ordinal order, except the build's own
        /// intermediate folder when it lies inside (the converted model must not make its source look changed).</summary>
        private static IEnumerable<string> FolderEntries(string folder, string intermediateFile)
        {
            var intermediate = Path.GetDirectoryName(Path.GetFullPath(intermediateFile)) ?? "";
            string[] entries;
            try
            {
                entries = Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                yield break;
            }

            Array.Sort(entries, StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                var full = Path.GetFullPath(entry);
                if (intermediate.Length > 0 && (full == intermediate || full.StartsWith(intermediate + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
                {
                    continue;
                }

                yield return entry;
            }
        }

        /// <summary>
        /// The golden folder and everything under it (folders too, so that a deleted data set counts as a change). When the
        /// folder also holds other things (it is the model's own folder, or it contains the build's intermediate folder),
        /// only the golden data proper counts: <c>test_data_set_*</c>, <c>inputs</c> and <c>outputs</c> folders and
        /// <c>.pb</c>/<c>.npz</c>/<c>.npy</c> files (the layouts of docs/golden-data.md).
        /// </summary>
        internal static IEnumerable<string> GoldenEntries(string golden, string intermediateFile)
        {
            var root = golden.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
            var shared = intermediateFile.StartsWith(root, StringComparison.Ordinal)
                || Directory.EnumerateFiles(golden, "*.onnx").Any();
            if (!shared)
            {
                yield return golden;
                foreach (var entry in Directory.EnumerateFileSystemEntries(golden, "*", SearchOption.AllDirectories))
                {
                    yield return entry;
                }

                yield break;
            }

            var sets = Directory.EnumerateDirectories(golden, "test_data_set_*")
                .Concat(new[] { Path.Combine(golden, "inputs"), Path.Combine(golden, "outputs") }.Where(Directory.Exists));
            foreach (var set in sets)
            {
                yield return set;
                foreach (var entry in Directory.EnumerateFileSystemEntries(set, "*", SearchOption.AllDirectories))
                {
                    yield return entry;
                }
            }

            foreach (var file in Directory.EnumerateFiles(golden))
            {
                var extension = Path.GetExtension(file);
                if (extension == ".pb" || extension == ".npz" || extension == ".npy")
                {
                    yield return file;
                }
            }
        }

        private void Error(string code, string file, string message) =>
            Log.LogError("BuildConvert", code, code, TaskCodes.HelpLink(code), file, 0, 0, 0, 0, message);
    }
}
