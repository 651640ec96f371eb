namespace OneGrid.Hosting;

/// <summary>
/// The data folder holds the database, the uploaded photos and the host key: on Unix every folder and file
/// OneGrid creates there is readable by its owner only, whatever the process's umask.
/// </summary>
public static class DataFolder
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the folder and any missing parent owner-only; an existing folder is left as it is.</summary>
    public static void Ensure(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        // Directory.CreateDirectory(path, mode) gives the mode to the last folder only, its new parents get the umask's.
        var missing = new Stack<string>();
        for (var dir = Path.GetFullPath(path); !string.IsNullOrEmpty(dir) && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
        {
            missing.Push(dir);
        }
        while (missing.TryPop(out var dir)) Directory.CreateDirectory(dir, FolderMode);
    }

    /// <summary>
    /// Creates an empty file owner-only unless it exists. SQLite accepts an empty file as an empty database,
    /// and gives its -wal and -shm files the database file's mode, so this is how the database starts owner-only.
    /// </summary>
    public static void EnsureFile(string path)
    {
        if (File.Exists(path)) return;
        if (Path.GetDirectoryName(path) is { Length: > 0 } dir) Ensure(dir);
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
        try
        {
            using var _ = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process sharing the data folder created it first.
        }
    }
}
