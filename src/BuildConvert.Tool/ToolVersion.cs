using System.Reflection;

namespace BuildConvert.Tool;

/// <summary>The tool's version as shown in reports.</summary>
internal static class ToolVersion
{
    /// <summary>The informational version of the tool assembly (e.g. <c>0.1.0</c>).</summary>
    public static string Text { get; } =
        typeof(ToolVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(ToolVersion).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";
}
