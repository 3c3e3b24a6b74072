// The one definition of the msbuild-batch protocol between the BuildConvert.MSBuild task and the buildconvert tool.
// This file is compiled into both (the tool links it from here); neither may spell a key any other way.
// The option keys of a request item are not here: they come from the option table (ConversionOptionTable and the
// formats' own options), generated for the task into Generated/TaskOptions.g.cs.
namespace BuildConvert.Protocol
{
    /// <summary>
    /// <c>buildconvert msbuild-batch --request FILE</c>: the task writes one request (<see cref="Request"/>) listing every
    /// stale item; the tool answers with JSON lines on stdout, one object per line with a <see cref="Line.Kind"/>:
    /// a <see cref="Kinds.Diagnostic"/> per diagnostic, a <see cref="Kinds.Model"/> per item, then one <see cref="Kinds.Done"/>.
    /// </summary>
    internal static class BatchProtocol
    {
        /// <summary>The tool command the task runs.</summary>
        public const string CommandName = "msbuild-batch";

        /// <summary>The switch naming the request file.</summary>
        public const string RequestSwitch = "--request";

        /// <summary>The request format's version; the tool refuses any other.</summary>
        public const int Version = 1;

        /// <summary>Keys of the request document: <c>{"version": 1, "items": [ ... ]}</c>.</summary>
        internal static class Request
        {
            public const string Version = "version";
            public const string Items = "items";

            /// <summary>The conversion cache folder (a string), or absent/null for none; the task has already resolved it (the tool does not read <c>BUILDCONVERT_CACHE</c> here).</summary>
            public const string CacheDirectory = "cacheDirectory";
        }

        /// <summary>Keys of one request item besides its options (whose keys are the options' request keys).</summary>
        internal static class Item
        {
            /// <summary>The item's identity (its Include), echoed in every answer line about it.</summary>
            public const string Id = "id";

            /// <summary>The model's full path.</summary>
            public const string Input = "input";

            /// <summary>The converted model's intermediate path.</summary>
            public const string Output = "output";

            /// <summary>The resolved golden folder, or null.</summary>
            public const string Golden = "golden";

            /// <summary>Whether to validate against <see cref="Golden"/> (a JSON boolean).</summary>
            public const string Validate = "validate";

            /// <summary>Every key above.</summary>
            public static readonly string[] All = { Id, Input, Output, Golden, Validate };
        }

        /// <summary>The key every answer line has.</summary>
        internal static class Line
        {
            public const string Kind = "kind";
        }

        /// <summary>The values of <see cref="Line.Kind"/>.</summary>
        internal static class Kinds
        {
            public const string Diagnostic = "diagnostic";
            public const string Model = "model";
            public const string Done = "done";
        }

        /// <summary>Keys of a diagnostic (in a <see cref="Kinds.Diagnostic"/> line, and in the tool's <c>--json</c> reports).</summary>
        internal static class Diagnostic
        {
            public const string Code = "code";
            public const string Severity = "severity";
            public const string Message = "message";

            /// <summary>The file to open, or null (the task then names the item's model).</summary>
            public const string File = "file";

            /// <summary>Where in the file (a node, a tensor, an output name), or null.</summary>
            public const string Location = "location";

            /// <summary>The 1-based line in <see cref="File"/> when it is a text file; null (no diagnostic has one yet).</summary>
            public const string LineNumber = "line";

            public const string HelpLink = "helpLink";

            /// <summary>The item's <see cref="Item.Id"/>, or null for a problem with the whole request.</summary>
            public const string Item = "item";

            /// <summary>Every key a diagnostic line has.</summary>
            public static readonly string[] All = { Code, Severity, Message, File, Location, LineNumber, HelpLink, Item };
        }

        /// <summary>The values of <see cref="Diagnostic.Severity"/>.</summary>
        internal static class Severities
        {
            public const string Error = "error";
            public const string Warning = "warning";
            public const string Info = "info";
        }

        /// <summary>Keys of a <see cref="Kinds.Model"/> line: one per item.</summary>
        internal static class Model
        {
            public const string Item = "item";

            /// <summary>One of <see cref="Statuses"/>.</summary>
            public const string Status = "status";

            public const string Input = "input";
            public const string Output = "output";
            public const string Format = "format";
            public const string Opsets = "opsets";

            /// <summary><c>passed</c>, <c>failed</c>, or null when the checker did not run.</summary>
            public const string Checker = "checker";

            /// <summary><c>passed</c>, <c>failed</c> or <c>skipped</c>.</summary>
            public const string Validation = "validation";

            public const string WorstAbsError = "worstAbsError";
            public const string TimeMs = "timeMs";

            /// <summary>The pipeline stage the item stopped at (<c>check</c>), or null when it passed.</summary>
            public const string StoppedAt = "stoppedAt";

            /// <summary>One human line about the item.</summary>
            public const string Summary = "summary";

            /// <summary>Files besides the model and its golden data the conversion read (a JSON array of paths).</summary>
            public const string Dependencies = "dependencies";

            /// <summary>The item's full report file, or null.</summary>
            public const string Report = "report";

            /// <summary>True when the outputs were restored from the conversion cache (nothing converted or validated).</summary>
            public const string Cached = "cached";

            /// <summary>Every key a model line has.</summary>
            public static readonly string[] All =
            {
                Item, Status, Input, Output, Format, Opsets, Checker, Validation, WorstAbsError, TimeMs, StoppedAt, Summary, Dependencies, Report, Cached,
            };
        }

        /// <summary>The values of <see cref="Model.Status"/>.</summary>
        internal static class Statuses
        {
            public const string Passed = "passed";
            public const string Failed = "failed";
            public const string Error = "error";
        }

        /// <summary>Keys of the <see cref="Kinds.Done"/> line.</summary>
        internal static class Done
        {
            public const string Models = "models";
            public const string Failed = "failed";
            public const string Message = "message";

            /// <summary>Every key the done line has.</summary>
            public static readonly string[] All = { Models, Failed, Message };
        }
    }
}
