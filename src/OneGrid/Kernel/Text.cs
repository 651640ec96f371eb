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
