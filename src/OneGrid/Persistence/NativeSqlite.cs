using System.Runtime.InteropServices;

namespace OneGrid.Persistence;

/// <summary>
/// The few SQLite calls the bulk load makes per value, straight into the <c>e_sqlite3</c> library Microsoft.Data.Sqlite has
/// already loaded (the same library, so its statement handles are valid here). SQLitePCL's wrappers marshal a SafeHandle
/// and copy each string to UTF-8 on every call, which at a hundred binds a case was most of the load's time. The binds are
/// short and never block, so they skip the GC transition; <c>step</c> does I/O and keeps it. Text goes in as UTF-16 and
/// SQLite converts it (<c>SQLITE_TRANSIENT</c>: it copies before the call returns).
/// </summary>
internal static unsafe partial class NativeSqlite
{
    private const string Library = "e_sqlite3";
    private static readonly nint Transient = -1;

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_int64"), SuppressGCTransition]
    public static partial int BindInt64(nint statement, int index, long value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_double"), SuppressGCTransition]
    public static partial int BindDouble(nint statement, int index, double value);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_null"), SuppressGCTransition]
    public static partial int BindNull(nint statement, int index);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_text16"), SuppressGCTransition]
    private static partial int BindText16(nint statement, int index, char* text, int bytes, nint destructor);

    [LibraryImport(Library, EntryPoint = "sqlite3_bind_blob"), SuppressGCTransition]
    private static partial int BindBlob(nint statement, int index, byte* blob, int bytes, nint destructor);

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    public static partial int Step(nint statement);

    [LibraryImport(Library, EntryPoint = "sqlite3_reset"), SuppressGCTransition]
    public static partial int Reset(nint statement);

    /// <summary>Throws what Microsoft.Data.Sqlite would for a failed call: SQLite's message and codes.</summary>
    public static void Check(SQLitePCL.sqlite3 connection, int rc)
    {
        if (rc is SQLitePCL.raw.SQLITE_OK or SQLitePCL.raw.SQLITE_DONE or SQLitePCL.raw.SQLITE_ROW) return;
        throw new Microsoft.Data.Sqlite.SqliteException(SQLitePCL.raw.sqlite3_errmsg(connection).utf8_to_string(), rc,
            SQLitePCL.raw.sqlite3_extended_errcode(connection));
    }

    public static int BindText(nint statement, int index, string value)
    {
        fixed (char* text = value) return BindText16(statement, index, text, value.Length * sizeof(char), Transient);
    }

    public static int BindBlob(nint statement, int index, byte[] value)
    {
        fixed (byte* blob = value) return BindBlob(statement, index, blob, value.Length, Transient);
    }
}
