// Lists the models the build converted, checked and validated, as they lie in the output folder.
var models = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.onnx", SearchOption.AllDirectories)
    .Order(StringComparer.Ordinal)
    .ToArray();
Console.WriteLine($"HelloOnnx: {models.Length} model(s) converted, checked and validated by the build:");
foreach (var model in models)
{
    Console.WriteLine($"  {Path.GetRelativePath(AppContext.BaseDirectory, model)} ({new FileInfo(model).Length} bytes)");
}

return models.Length > 0 ? 0 : 1;
