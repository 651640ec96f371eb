using System.Text.Json;
using System.Text.Json.Serialization;

namespace OneGrid.Cases;

/// <summary>
/// Source-generated JSON metadata for the report intake's request and answer, first in the host's resolver
/// chain: the hottest endpoint reads and writes its bodies without reflection-built metadata.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ReportRequest))]
[JsonSerializable(typeof(ReportResponse))]
internal sealed partial class CaseJsonContext : JsonSerializerContext;
