using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace OneGrid.Persistence;

/// <summary>The expression that binds one property's value, converted as the model stores it, to parameter <c>index</c>.</summary>
internal static class SqliteBinding
{
    /// <summary>
    /// One compiled method that binds a whole row to a prepared SQLite statement (parameters ?1…?n in the order of
    /// <paramref name="properties"/>): each property read typed and put through the model's value converter as EF would, with
    /// no boxing. Returns the OR of the binds' result codes. Throws for a stored type it has no binding for.
    /// </summary>
    public static Func<nint, object, int> Compile(Type entity, IReadOnlyList<IProperty> properties)
    {
        var statement = System.Linq.Expressions.Expression.Parameter(typeof(nint), "statement");
        var row = System.Linq.Expressions.Expression.Parameter(typeof(object), "row");
        var typed = System.Linq.Expressions.Expression.Variable(entity, "e");
        var rc = System.Linq.Expressions.Expression.Variable(typeof(int), "rc");
        var body = new List<System.Linq.Expressions.Expression>
        {
            System.Linq.Expressions.Expression.Assign(typed, System.Linq.Expressions.Expression.Convert(row, entity)),
            System.Linq.Expressions.Expression.Assign(rc, System.Linq.Expressions.Expression.Constant(0)),
        };
        for (var i = 0; i < properties.Count; i++)
        {
            body.Add(System.Linq.Expressions.Expression.OrAssign(rc, Bind(statement, i + 1, typed, properties[i])));
        }
        body.Add(rc);
        var block = System.Linq.Expressions.Expression.Block([typed, rc], body);
        return System.Linq.Expressions.Expression.Lambda<Func<nint, object, int>>(block, statement, row).Compile();
    }

    private static readonly System.Reflection.MethodInfo Int64 = typeof(NativeSqlite).GetMethod(nameof(NativeSqlite.BindInt64))!;
    private static readonly System.Reflection.MethodInfo Double = typeof(NativeSqlite).GetMethod(nameof(NativeSqlite.BindDouble))!;
    private static readonly System.Reflection.MethodInfo Null = typeof(NativeSqlite).GetMethod(nameof(NativeSqlite.BindNull))!;
    private static readonly System.Reflection.MethodInfo Text = typeof(NativeSqlite).GetMethod(nameof(NativeSqlite.BindText))!;
    private static readonly System.Reflection.MethodInfo Blob = typeof(NativeSqlite).GetMethod(nameof(NativeSqlite.BindBlob), [typeof(nint), typeof(int), typeof(byte[])])!;

    private static System.Linq.Expressions.Expression Bind(System.Linq.Expressions.ParameterExpression statement, int index, System.Linq.Expressions.Expression entity, IProperty property)
    {
        System.Linq.Expressions.Expression value = property.PropertyInfo is { } p
            ? System.Linq.Expressions.Expression.Property(entity, p)
            : System.Linq.Expressions.Expression.Field(entity, property.FieldInfo ?? throw new InvalidOperationException($"{property.Name} has no member"));
        var converter = ((RelationalTypeMapping)property.GetTypeMapping()).Converter ?? property.GetValueConverter();
        return converter is null ? Store(statement, index, value) : Converted(statement, index, value, converter);
    }

    private static System.Linq.Expressions.Expression Converted(System.Linq.Expressions.ParameterExpression statement, int index,
        System.Linq.Expressions.Expression value, Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter converter)
    {
        var convert = converter.ConvertToProviderExpression;
        var model = convert.Parameters[0].Type;
        // EF converts only values that are there: null stays NULL.
        if (Nullable.GetUnderlyingType(value.Type) is not null)
        {
            var inner = System.Linq.Expressions.Expression.Property(value, "Value");
            return System.Linq.Expressions.Expression.Condition(System.Linq.Expressions.Expression.Property(value, "HasValue"),
                Store(statement, index, Apply(convert, model, inner)), BindNull(statement, index));
        }
        if (!value.Type.IsValueType)
        {
            return System.Linq.Expressions.Expression.Condition(System.Linq.Expressions.Expression.Equal(value, System.Linq.Expressions.Expression.Constant(null, value.Type)),
                BindNull(statement, index), Store(statement, index, Apply(convert, model, value)));
        }
        return Store(statement, index, Apply(convert, model, value));
    }

    private static System.Linq.Expressions.Expression Apply(System.Linq.Expressions.LambdaExpression convert, Type model, System.Linq.Expressions.Expression value) =>
        System.Linq.Expressions.Expression.Invoke(convert, value.Type == model ? value : System.Linq.Expressions.Expression.Convert(value, model));

    private static System.Linq.Expressions.Expression BindNull(System.Linq.Expressions.ParameterExpression statement, int index) =>
        System.Linq.Expressions.Expression.Call(Null, statement, System.Linq.Expressions.Expression.Constant(index));

    /// <summary>A provider value of any stored type: integers, booleans and enums as integers, floating point, text, blobs; nullable ones NULL when empty.</summary>
    private static System.Linq.Expressions.Expression Store(System.Linq.Expressions.ParameterExpression statement, int index, System.Linq.Expressions.Expression value)
    {
        var i = System.Linq.Expressions.Expression.Constant(index);
        if (Nullable.GetUnderlyingType(value.Type) is not null)
        {
            var v = System.Linq.Expressions.Expression.Variable(value.Type, "v");
            return System.Linq.Expressions.Expression.Block([v],
                System.Linq.Expressions.Expression.Assign(v, value),
                System.Linq.Expressions.Expression.Condition(System.Linq.Expressions.Expression.Property(v, "HasValue"),
                    Store(statement, index, System.Linq.Expressions.Expression.Property(v, "Value")), BindNull(statement, index)));
        }
        var type = value.Type.IsEnum ? Enum.GetUnderlyingType(value.Type) : value.Type;
        if (type == typeof(string) || type == typeof(byte[]))
        {
            var v = System.Linq.Expressions.Expression.Variable(value.Type, "v");
            return System.Linq.Expressions.Expression.Block([v],
                System.Linq.Expressions.Expression.Assign(v, value),
                System.Linq.Expressions.Expression.Condition(System.Linq.Expressions.Expression.Equal(v, System.Linq.Expressions.Expression.Constant(null, value.Type)),
                    BindNull(statement, index), System.Linq.Expressions.Expression.Call(type == typeof(string) ? Text : Blob, statement, i, v)));
        }
        if (type == typeof(bool))
        {
            return System.Linq.Expressions.Expression.Call(Int64, statement, i,
                System.Linq.Expressions.Expression.Condition(value, System.Linq.Expressions.Expression.Constant(1L), System.Linq.Expressions.Expression.Constant(0L)));
        }
        if (type == typeof(double) || type == typeof(float))
        {
            return System.Linq.Expressions.Expression.Call(Double, statement, i, System.Linq.Expressions.Expression.Convert(value, typeof(double)));
        }
        if (type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(byte) || type == typeof(uint) || type == typeof(ushort) || type == typeof(sbyte))
        {
            return System.Linq.Expressions.Expression.Call(Int64, statement, i, System.Linq.Expressions.Expression.Convert(value, typeof(long)));
        }
        throw new InvalidOperationException($"No SQLite binding for a stored value of type {value.Type.Name}.");
    }
}
