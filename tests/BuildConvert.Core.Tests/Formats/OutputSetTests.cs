using BuildConvert.Core.Formats;
using BuildConvert.Core.Tests.Formats.Onnx;

namespace BuildConvert.Core.Tests.Formats;

[TestClass]
public sealed class OutputSetTests
{
    [TestMethod]
    public void Nothing_is_at_the_destination_until_commit_and_the_staging_folder_goes_with_the_set()
    {
        using var temp = new TempFolder();
        var model = temp.File("m.onnx");
        string staging;
        using (var set = OutputSet.ForFile(model, "m.onnx.data"))
        {
            set.Open();
            staging = set.StagingFolder!;
            set.Write("m.onnx.data", s => s.Write(new byte[] { 1, 2 }));
            set.Write("m.onnx", s => s.Write(new byte[] { 3 }));
            Assert.AreEqual(temp.Path, Path.GetDirectoryName(staging), "staged beside the output (one file system, so renames)");
            CollectionAssert.AreEqual(new[] { Path.GetFileName(staging) }, Entries(temp.Path));

            set.Commit();

            CollectionAssert.AreEqual(new byte[] { 1, 2 }, File.ReadAllBytes(model + ".data"));
            CollectionAssert.AreEqual(new byte[] { 3 }, File.ReadAllBytes(model));
        }

        Assert.IsFalse(Directory.Exists(staging));
        CollectionAssert.AreEquivalent(new[] { "m.onnx", "m.onnx.data" }, Entries(temp.Path));
    }

    [TestMethod]
    public void A_set_disposed_without_commit_leaves_the_destination_as_it_was()
    {
        using var temp = new TempFolder();
        var model = temp.File("m.onnx");
        File.WriteAllText(model, "old");
        using (var set = OutputSet.ForFile(model, "m.onnx.data"))
        {
            set.Open();
            set.Write("m.onnx", s => s.Write(new byte[] { 3 }));
        }

        Assert.AreEqual("old", File.ReadAllText(model));
        CollectionAssert.AreEqual(new[] { "m.onnx" }, Entries(temp.Path));
    }

    [TestMethod]
    public void The_model_goes_last_a_failed_sidecar_rename_leaves_no_model_and_no_staging_name_in_the_message()
    {
        using var temp = new TempFolder();
        var model = temp.File("m.onnx");
        File.WriteAllText(model, "the previous model");
        Directory.CreateDirectory(model + ".data");
        using var set = OutputSet.ForFile(model, "m.onnx.data");
        set.Open();
        var staging = set.StagingFolder!;
        set.Write("m.onnx.data", s => s.Write(new byte[] { 1 }));
        set.Write("m.onnx", s => s.Write(new byte[] { 2 }));

        var e = Assert.ThrowsExactly<IOException>(set.Commit);

        Assert.IsFalse(File.Exists(model), "the old model went first and the new one was never moved: no model beside a wrong data file");
        StringAssert.Contains(e.Message, $"'{model}.data' could not be put in place");
        Assert.IsFalse(e.Message.Contains(Path.GetFileName(staging), StringComparison.Ordinal), e.Message);
    }

    [TestMethod]
    public void A_failed_model_rename_takes_back_the_sidecar_already_moved()
    {
        using var temp = new TempFolder();
        var model = temp.File("m.onnx");
        Directory.CreateDirectory(model);
        File.WriteAllText(Path.Combine(model, "keep"), "a folder in the way, not ours to delete");
        using var set = OutputSet.ForFile(model, "m.onnx.data");
        set.Open();
        set.Write("m.onnx.data", s => s.Write(new byte[] { 1 }));
        set.Write("m.onnx", s => s.Write(new byte[] { 2 }));

        var e = Assert.ThrowsExactly<IOException>(set.Commit);

        Assert.IsFalse(File.Exists(model + ".data"), "none of the set is left at the destination");
        Assert.IsTrue(File.Exists(Path.Combine(model, "keep")));
        StringAssert.Contains(e.Message, $"'{model}' could not be put in place");
    }

    [TestMethod]
    public void A_write_error_names_the_final_file_not_the_staging_file()
    {
        using var temp = new TempFolder();
        var model = temp.File("m.onnx");
        using var set = OutputSet.ForFile(model);
        set.Open();
        var staging = set.StagingFolder!;

        // What .NET reports when the disk is full: the path of the stream being written, here the staging file.
        var e = Assert.ThrowsExactly<IOException>(() => set.Write("m.onnx", s => throw new IOException($"No space left on device : '{((FileStream)s).Name}'")));

        Assert.AreEqual($"'{model}' cannot be written: No space left on device : '{model}'", e.Message);
        Assert.IsFalse(e.Message.Contains(".staging", StringComparison.Ordinal) || e.Message.Contains(Path.GetFileName(staging), StringComparison.Ordinal), e.Message);
    }

    [TestMethod]
    public void A_sidecar_with_nothing_staged_is_removed_at_commit_as_stale()
    {
        using var temp = new TempFolder();
        var model = temp.File("m.onnx");
        File.WriteAllText(model + ".data", "data of an earlier model that had external data");
        using (var set = OutputSet.ForFile(model, "m.onnx.data"))
        {
            set.Open();
            set.Write("m.onnx", s => s.Write(new byte[] { 2 }));
            set.Commit();
        }

        CollectionAssert.AreEqual(new[] { "m.onnx" }, Entries(temp.Path));
    }

    [TestMethod]
    public void Opening_removes_the_staging_folders_of_dead_processes_only()
    {
        using var temp = new TempFolder();
        var dead = Path.Combine(temp.Path, $".m.onnx.{int.MaxValue - 3}.0123456789abcdef0123456789abcdef.staging");
        var alive = Path.Combine(temp.Path, $".m.onnx.{Environment.ProcessId}.0123456789abcdef0123456789abcdef.staging");
        var otherOutput = Path.Combine(temp.Path, $".m.onnx.report.json.{int.MaxValue - 3}.0123456789abcdef0123456789abcdef.staging");
        foreach (var folder in new[] { dead, alive, otherOutput })
        {
            Directory.CreateDirectory(folder);
        }

        using var set = OutputSet.ForFile(temp.File("m.onnx"));
        set.Open();

        Assert.IsFalse(Directory.Exists(dead));
        Assert.IsTrue(Directory.Exists(alive), "a running process's staging folder is never taken away");
        Assert.IsTrue(Directory.Exists(otherOutput), "another output's staging folder is its own set's to sweep");
    }

    [TestMethod]
    public void Folder_members_replace_the_destination_folders_and_remove_the_unstaged_ones()
    {
        using var temp = new TempFolder();
        foreach (var n in new[] { "a", "b" })
        {
            Directory.CreateDirectory(Path.Combine(temp.Path, "gold", n));
            File.WriteAllText(Path.Combine(temp.Path, "gold", n, "old.pb"), "old");
        }

        using var set = OutputSet.ForFolders(temp.Path, "gold", new[] { Path.Combine("gold", "a"), Path.Combine("gold", "b") });
        set.Open();
        set.Write(Path.Combine("gold", "a", "new.pb"), s => s.Write(new byte[] { 1 }));
        set.Commit();

        CollectionAssert.AreEqual(new[] { "a" }, Entries(Path.Combine(temp.Path, "gold")));
        CollectionAssert.AreEqual(new[] { "new.pb" }, Entries(Path.Combine(temp.Path, "gold", "a")));
    }

    [TestMethod]
    public void A_member_outside_the_folder_is_caller_misuse()
    {
        using var temp = new TempFolder();
        Assert.ThrowsExactly<ArgumentException>(() => OutputSet.ForFile(temp.File("m.onnx"), "../m.onnx.data"));
        Assert.ThrowsExactly<ArgumentException>(() => OutputSet.ForFolders(temp.Path, "g", new[] { "/etc" }));
        using var set = OutputSet.ForFile(temp.File("m.onnx"));
        set.Open();
        Assert.ThrowsExactly<ArgumentException>(() => set.Stage("../x"));
    }

    private static string[] Entries(string folder) =>
        Directory.GetFileSystemEntries(folder).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();
}
