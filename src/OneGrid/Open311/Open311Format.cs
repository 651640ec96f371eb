using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;

namespace OneGrid.Open311;

/// <summary>An ordered record of named values: the spec fixes the element order of every XML answer.</summary>
public sealed class O311Object : List<KeyValuePair<string, object?>>
{
    public O311Object Add(string name, object? value)
    {
        Add(new KeyValuePair<string, object?>(name, value));
        return this;
    }
}

/// <summary>A nested list: a JSON array, in XML a wrapper element holding one <see cref="ItemName"/> element per item.</summary>
public sealed record O311List(string ItemName, IReadOnlyList<object?> Items);

/// <summary>One answer of the GeoReport v2 API, written as JSON or XML by the suffix of the path.</summary>
public sealed record O311Answer(string Root, object Body, int Status = StatusCodes.Status200OK);

/// <summary>
/// Writes GeoReport v2 answers in either format. XML goes through <see cref="XmlWriter"/> so every text is
/// escaped; nulls are empty elements in XML and null in JSON, as in the spec's examples.
/// </summary>
public static class Open311Format
{
    public const string Json = "json";
    public const string Xml = "xml";

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static bool IsKnown(string? format) => format is Json or Xml;

    /// <summary>An unknown suffix is answered in JSON: the caller has to be told in some format.</summary>
    public static IResult Write(string? format, O311Answer answer) =>
        format == Xml
            ? Results.Text(ToXml(answer), "text/xml; charset=utf-8", Encoding.UTF8, answer.Status)
            : Results.Text(ToJson(answer.Body)!.ToJsonString(JsonOptions), "application/json; charset=utf-8", Encoding.UTF8, answer.Status);

    public static O311Answer Errors(int status, string description) =>
        new("errors", new O311List("error", [new O311Object().Add("code", status).Add("description", description)]), status);

    public static string ToXml(O311Answer answer)
    {
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement(answer.Root);
            WriteContent(writer, answer.Body);
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteContent(XmlWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                return;
            case O311Object o:
                foreach (var (name, v) in o)
                {
                    writer.WriteStartElement(name);
                    WriteContent(writer, v);
                    writer.WriteEndElement();
                }
                return;
            case O311List list:
                foreach (var item in list.Items)
                {
                    writer.WriteStartElement(list.ItemName);
                    WriteContent(writer, item);
                    writer.WriteEndElement();
                }
                return;
            default:
                // XmlWriter throws on a control character; rows stored before input refused them are still answered.
                writer.WriteString(Kernel.InputText.Printable(Scalar(value)));
                return;
        }
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        O311Object o => new JsonObject(o.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, ToJson(p.Value)))),
        O311List l => new JsonArray(l.Items.Select(ToJson).ToArray()),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        _ => JsonValue.Create(Scalar(value)),
    };

    private static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        DateTimeOffset t => Timestamp(t),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>ISO 8601 with the offset, in China time like the rest of the API.</summary>
    public static string Timestamp(DateTimeOffset t) =>
        t.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
