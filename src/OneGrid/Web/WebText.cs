using System.Globalization;
using System.Resources;

namespace OneGrid.Web;

/// <summary>
/// Messages shared by the pages' forms (WebText.resx, WebText.en.resx), as static properties because
/// validation attributes name their message by resource type and property.
/// </summary>
public static class WebText
{
    private static readonly ResourceManager Resources = new("OneGrid.Web.WebText", typeof(WebText).Assembly);

    public static string Get(string name) => Resources.GetString(name, CultureInfo.CurrentUICulture) ?? name;

    public static string UsernameRequired => Get(nameof(UsernameRequired));
    public static string PasswordRequired => Get(nameof(PasswordRequired));
    public static string Required => Get(nameof(Required));
}
