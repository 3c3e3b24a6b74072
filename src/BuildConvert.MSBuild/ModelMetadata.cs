namespace BuildConvert.MSBuild
{
    /// <summary>
    /// Metadata names of <c>&lt;OnnxModel&gt;</c> items: the ones users set (spelled like the CLI options) and the ones
    /// <see cref="ResolveOnnxModels"/> adds for the targets and <see cref="ConvertOnnxModels"/>.
    /// </summary>
    internal static class ModelMetadata
    {
        // Set by users (defaults come from the ItemDefinitionGroup in BuildConvert.MSBuild.props).
        public const string Format = "Format";
        public const string Opset = "Opset";
        public const string Inputs = "Inputs";
        public const string Outputs = "Outputs";
        public const string InputShapes = "InputShapes";
        public const string Golden = "Golden";
        public const string Rtol = "Rtol";
        public const string Atol = "Atol";
        public const string Tolerance = "Tolerance";
        public const string Validate = "Validate";
        public const string OutputPath = "OutputPath";

        // Added by ResolveOnnxModels: all of them are pure functions of the item and the properties.
        public const string InputFile = "InputFile";
        public const string IntermediateFile = "IntermediateFile";
        public const string TargetPath = "BuildConvertTargetPath";
        public const string StampFile = "StampFile";
        public const string DependencyFile = "DependencyFile";
        public const string GoldenDirectory = "GoldenDirectory";
        public const string ValidateResolved = "ValidateResolved";

        /// <summary>The user-set metadata that go into the options stamp, in stamp order.</summary>
        public static readonly string[] Options =
        {
            Format, Opset, Inputs, Outputs, InputShapes, Rtol, Atol, Tolerance,
        };
    }
}
