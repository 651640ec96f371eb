using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace OneGrid.Persistence;

/// <summary>
/// An entity's table and column names as the context's model maps them, delimited for its provider, for
/// the few commands written by hand on hot paths (report inserts, the duplicate search, the live feed's
/// poll): the SQL is assembled there, the names always come from here.
/// </summary>
public sealed class StoreNames
{
    private readonly ISqlGenerationHelper _sql;
    private readonly StoreObjectIdentifier _table;

    private StoreNames(DbContext db, Type type)
    {
        _sql = db.GetService<ISqlGenerationHelper>();
        Entity = db.Model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not mapped.");
        _table = StoreObjectIdentifier.Table(Entity.GetTableName()!, Entity.GetSchema());
        Table = _sql.DelimitIdentifier(_table.Name, _table.Schema);
    }

    public static StoreNames Of<T>(DbContext db) => new(db, typeof(T));

    public static StoreNames Of(DbContext db, Type type) => new(db, type);

    public IEntityType Entity { get; }

    /// <summary>The delimited table name.</summary>
    public string Table { get; }

    /// <summary>The delimited column of a property, by its CLR name.</summary>
    public string Column(string property) => Column(Entity.FindProperty(property) ?? throw new InvalidOperationException($"{Entity.DisplayName()}.{property} is not mapped."));

    public string Column(IProperty property) => _sql.DelimitIdentifier(property.GetColumnName(_table)!);

    /// <summary>Whether the property has a column in the table (not shadow-only or computed elsewhere).</summary>
    public bool HasColumn(IProperty property) => property.GetColumnName(_table) is not null;

    /// <summary>How a parameter of this name is written in the SQL (<c>@name</c>).</summary>
    public string Placeholder(string name) => _sql.GenerateParameterNamePlaceholder(name);
}
