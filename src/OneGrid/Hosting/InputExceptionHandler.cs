using Microsoft.AspNetCore.Diagnostics;
using OneGrid.Kernel;
using OneGrid.Open311;

namespace OneGrid.Hosting;

/// <summary>
/// Input the framework itself refuses while reading a request — a form over its field-count or key-length
/// limit, a malformed chunked body, a body over its size limit — surfaces as an exception from wherever the
/// body is read. Such input is the client's fault: it is answered 400 or 413 naming what is wrong (Open311
/// paths in the GeoReport error format, everything else as problem details), never 500.
/// </summary>
internal sealed class InputExceptionHandler(ILogger<InputExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (Classify(context, exception) is not { } fault || context.Response.HasStarted) return false;
        logger.LogInformation("Refused bad input on {Method} {Path}: {Reason}", context.Request.Method, context.Request.Path, exception.Message);
        context.Response.Clear();
        var (status, type, titleZh, titleEn, detailZh, detailEn, limit) = fault;
        IResult result;
        if (context.Request.Path.StartsWithSegments("/open311"))
        {
            var format = context.Request.Path.Value!.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) ? Open311Format.Xml : Open311Format.Json;
            result = Open311Format.Write(format, Open311Format.Errors(status, Text.Pick(detailZh, detailEn)));
        }
        else
        {
            result = Problems.Create(status, type, titleZh, titleEn, Text.Pick(detailZh, detailEn),
                limit is null ? null : new Dictionary<string, object?> { ["limit"] = limit });
        }
        await result.ExecuteAsync(context);
        return true;
    }

    private sealed record Fault(int Status, string Type, string TitleZh, string TitleEn, string DetailZh, string DetailEn, string? Limit);

    private static Fault? Classify(HttpContext context, Exception exception)
    {
        switch (exception)
        {
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return new Fault(413, "payload-too-large", "请求体过大", "The request body is too large",
                    "请求体超过了上限。", "The request body exceeds the limit.", "MaxRequestBodySize");
            case BadHttpRequestException e:
                return new Fault(e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400, "malformed-request", "请求格式错误", "The request is malformed",
                    $"无法读取请求体：{e.Message}", $"The request body could not be read: {e.Message}", null);
            case InvalidDataException e when context.Request.HasFormContentType:
                // The framework's form reader names the limit in its message; each maps to what the client must change.
                var m = e.Message;
                if (m.StartsWith("Form value count limit", StringComparison.Ordinal))
                    return new Fault(413, "form-too-many-fields", "表单字段过多", "The form has too many fields",
                        $"表单字段数超过上限（{m}）", $"The form has more fields than allowed ({m})", "ValueCountLimit");
                if (m.StartsWith("Form key length limit", StringComparison.Ordinal))
                    return new Fault(400, "form-key-too-long", "表单字段名过长", "A form field name is too long",
                        $"表单字段名超过长度上限（{m}）", $"A form field name is longer than allowed ({m})", "KeyLengthLimit");
                if (m.StartsWith("Form value length limit", StringComparison.Ordinal))
                    return new Fault(413, "form-value-too-long", "表单字段值过长", "A form field value is too long",
                        $"表单字段值超过长度上限（{m}）", $"A form field value is longer than allowed ({m})", "ValueLengthLimit");
                if (m.StartsWith("Multipart body length limit", StringComparison.Ordinal))
                    return new Fault(413, "payload-too-large", "请求体过大", "The request body is too large",
                        $"multipart 请求体超过上限（{m}）", $"The multipart body exceeds the limit ({m})", "MultipartBodyLengthLimit");
                return new Fault(400, "malformed-form", "表单格式错误", "The form is malformed",
                    $"无法读取表单：{m}", $"The form could not be read: {m}", null);
            default:
                return null;
        }
    }
}
