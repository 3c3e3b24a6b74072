namespace BuildConvert.MSBuild
{
    /// <summary>
    /// One conversion option as the task sees it: item metadata to forward to the tool under a request key, and to put in
    /// the options stamp. The list (<see cref="TaskOptions.All"/>) is generated from BuildConvert.Core's option table
    /// into <c>Generated/TaskOptions.g.cs</c> (the task cannot reference Core); a test fails when they disagree.
    /// </summary>
    internal sealed class TaskOption
    {
        public TaskOption(string metadataName, string requestKey)
        {
            MetadataName = metadataName;
            RequestKey = requestKey;
        }

        /// <summary>The item metadata name (<c>Opset</c>); also the name of its stamp line.</summary>
        public string MetadataName { get; }

        /// <summary>The key of its value in a request item (<c>opset</c>).</summary>
        public string RequestKey { get; }
    }
}
