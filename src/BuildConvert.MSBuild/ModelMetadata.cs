namespace BuildConvert.MSBuild
{
    /// <summary>
    /// Metadata names of <c>&lt;OnnxModel&gt;</c> items the task itself reads: the build-only ones users set and the ones
    /// <see cref="ResolveOnnxModels"/> adds for the targets and <see cref="ConvertOnnxModels"/>. The conversion options
    /// (Format, Opset, Rtol, ...) are not here: they come from the option table, see <see cref="TaskOptions"/>.
    /// </summary>
    internal static class ModelMetadata
    {
        // Set by users (defaults come from the ItemDefinitionGroups in BuildConvert.MSBuild.props and the generated
        // BuildConvert.MSBuild.Options.g.props). Golden is a conversion option the task resolves into GoldenDirectory.
        public const string Golden = "Golden";
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
    }
}
