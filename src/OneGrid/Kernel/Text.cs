using System.Globalization;

namespace OneGrid.Kernel;

/// <summary>
/// Picks the user's language for messages a person reads (problem details, CLI output).
/// Simplified Chinese is the default; English when the request culture asks for it.
/// </summary>
public static class Text
{
    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    public static string Pick(string zh, string en) => IsEnglish ? en : zh;
}

/// <summary>
/// What text the platform accepts and how stored text is made safe for formats stricter than the database.
/// A C0 control character (other than tab, CR, LF) means nothing to a reader, and XML cannot carry one at all:
/// one such character in a description once made the XLSX export and the public Open311 XML fail for everybody.
/// So input refuses them, and the writers drop them from whatever was stored before.
/// </summary>
public static class InputText
{
    /// <summary>Whether the text holds a character no input may carry: a C0 control other than tab/CR/LF, a lone surrogate, U+FFFE or U+FFFF.</summary>
    public static bool HasForbidden(string? text) => text is not null && IndexOfForbidden(text) >= 0;

    public static int IndexOfForbidden(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!IsAllowedAt(text, i, out var pair)) return i;
            if (pair) i++;
        }
        return -1;
    }

    /// <summary>What is wrong with the field's text, in both languages, or null when it is acceptable.</summary>
    public static (string Zh, string En)? Fault(string field, string? text) =>
        text is not null && IndexOfForbidden(text) is var at and >= 0
            ? ($"{field} 含有不可见的控制字符（第 {at + 1} 个字符，U+{(int)text[at]:X4}）",
                $"{field} contains a control character (character {at + 1}, U+{(int)text[at]:X4})")
            : null;

    /// <summary>The 400 problem naming the field, or null when the text is acceptable.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Refuse(string field, string? text) =>
        Fault(field, text) is { } f ? Problems.InvalidField(field, f.Zh, f.En) : null;

    /// <summary>The text without the characters XML 1.0 cannot carry, for writers of rows stored before input refused them.</summary>
    public static string? Printable(string? text)
    {
        if (text is null || IndexOfForbidden(text) < 0) return text;
        var kept = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (!IsAllowedAt(text, i, out var pair)) continue;
            kept.Append(text[i]);
            if (pair) kept.Append(text[++i]);
        }
        return kept.ToString();
    }

    private static bool IsAllowedAt(string text, int i, out bool pair)
    {
        pair = false;
        var c = text[i];
        if (c < 0x20) return c is '\t' or '\r' or '\n';
        if (c is '\uFFFE' or '\uFFFF') return false;
        if (char.IsHighSurrogate(c))
        {
            pair = i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            return pair;
        }
        return !char.IsLowSurrogate(c);
    }
}
