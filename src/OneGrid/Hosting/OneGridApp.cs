using System.Globalization;
using Microsoft.AspNetCore.Localization;
using OneGrid.Cases;
using OneGrid.Disputes;
using OneGrid.Calendar;
using OneGrid.Access;
using OneGrid.Catalog;
using OneGrid.CommandCentre;
using OneGrid.Exports;
using OneGrid.Indicators;
using OneGrid.Kernel;
using OneGrid.Open311;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Web;
using OneGrid.Webhooks;
using OneGrid.Workflows;
using Scalar.AspNetCore;

namespace OneGrid.Hosting;

/// <summary>Composes the one deployable host from the capability modules.</summary>
public static class OneGridApp
{
    public static WebApplication Build(HostSettings settings, string[]? args = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args ?? [],
            ContentRootPath = AppContext.BaseDirectory,
            // Not the entry assembly's name: under a test runner that is the runner, and the static web
            // assets manifest (OneGrid.staticwebassets.endpoints.json) is found by this name.
            ApplicationName = typeof(OneGridApp).Assembly.GetName().Name,
        });
        if (settings.Urls is not null) builder.WebHost.UseUrls(settings.Urls);
        // Run from the build output (dotnet run, the tests), the content root has no wwwroot: the static
        // web assets manifest beside the binary points at the project's wwwroot and at the framework's
        // _framework/blazor.web.js. Without it every static file is served empty in any environment but
        // Development. A published app has no such manifest and serves its own wwwroot.
        builder.WebHost.UseStaticWebAssets();
        // Lowest-priority defaults (any configuration source overrides them): the framework's per-request and
        // per-command Information lines (request starting/finished, every SQL command) cost more than a report's intake.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData =
            [
                new("Logging:LogLevel:Microsoft.AspNetCore", "Warning"),
                new("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Warning"),
            ],
        });

        DataFolder.Ensure(settings.DataDirectory);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(_ => HostKey.Load(builder.Configuration, settings));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StartupState>();
        builder.Services.AddOneGridDatabase(settings.Database);
        builder.Services.AddExceptionHandler<InputExceptionHandler>();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        // Pages are mostly Chinese: write it as text, not as &#x…; entities.
        builder.Services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder =
            System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);

        builder.Services.AddAccessModule(builder.Configuration);
        builder.Services.AddSingleton<TerritoryIndexHolder>();
        builder.Services.AddHostedService<StartupWork>();
        builder.Services.AddHostedService<TerritoryIndexRefresher>();
        builder.Services.AddWorkflowKernel(builder.Configuration);
        builder.Services.AddCaseModule(builder.Configuration);
        builder.Services.AddDisputeModule(builder.Configuration);
        builder.Services.AddCalendarModule();
        builder.Services.AddCatalogModule();
        builder.Services.AddWebhookModule(builder.Configuration);
        builder.Services.AddCommandCentreModule();
        builder.Services.AddWebModule();

        configure?.Invoke(builder);
        AccessModule.DeferKeyRingLoad(builder.Services);
        var app = builder.Build();

        // First, so error pages and problems carry the headers too.
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // A browser asking for a page that does not exist gets a page, in the layout and its language; machine routes
        // keep the problem details of the line above. Registered after it, so on the way out it answers first — except
        // where the next middleware switched it off. (Not a UseWhen branch: a branch of a WebApplication has no global
        // route builder, so its re-execution would not route "/not-found" to the page.)
        app.UseStatusCodePagesWithReExecute("/not-found", "?status={0}");
        app.Use((context, next) =>
        {
            // The feature is the re-executing middleware's own: the problem-details one above keeps its own, enabled.
            if (!IsPageRequest(context) && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
            {
                pages.Enabled = false;
            }
            return next(context);
        });
        app.UseRequestLocalization(new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture("zh-CN"),
            SupportedCultures = [new CultureInfo("zh-CN"), new CultureInfo("en")],
            SupportedUICultures = [new CultureInfo("zh-CN"), new CultureInfo("en")],
        });
        // Before anything acts on a write: a cross-site one never reaches sign-in, antiforgery or a handler.
        app.UseMiddleware<CrossOriginWriteGuard>();

        // Until start-up work is done the database may be unmigrated: answer 503, not half-truths.
        app.Use(async (context, next) =>
        {
            var state = context.RequestServices.GetRequiredService<StartupState>();
            // Static files (a path with an extension) and /healthz need no database. Pages do: rendering one reads the
            // Data Protection key ring, whose table does not exist before the migrations.
            if (state.IsReady || context.Request.Path.StartsWithSegments("/healthz") || Path.HasExtension(context.Request.Path.Value))
            {
                await next(context);
                return;
            }
            context.Response.Headers.RetryAfter = "2";
            if (MachinePaths.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
            {
                await Problems.Create(StatusCodes.Status503ServiceUnavailable, "starting", "服务正在启动", "The service is starting",
                    state.Failure).ExecuteAsync(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/html; charset=utf-8";
            // Constant text, no markup from anywhere else; the browser retries on its own.
            await context.Response.WriteAsync(Kernel.Text.Pick(
                "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"3\"><title>服务正在启动</title></head><body><h1>服务正在启动</h1><p>请稍候，页面会自动刷新。</p></body></html>",
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"3\"><title>The service is starting</title></head><body><h1>The service is starting</h1><p>Please wait: the page reloads by itself.</p></body></html>"));
        });

        app.MapGet("/healthz", (StartupState state, TerritoryIndexHolder territory) =>
            state.IsReady && territory.IsLoaded
                ? Results.Ok(new { status = "ready", grids = territory.Current.GridCount, revision = territory.Current.Revision })
                : Results.Json(new { status = state.Failure is null ? "starting" : "failed", error = state.Failure },
                    statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithTags("Health")
            .WithSummary("200 once the database is migrated and the territory index is loaded.");

        app.MapOpenApi("/openapi/{documentName}.json");
        // The reference's script is served from the package itself (/docs/scalar.js); by default it would still fetch its
        // fonts from Scalar's CDN, report API-client use to Scalar, offer its hosted AI agent and a toolbar of Scalar's
        // online services (share, generate an SDK, deploy). A deployment inside a city's network has no such outside,
        // and none of a visitor's requests should leave for it: all of it off.
        app.MapScalarApiReference("/docs", o => o.WithTitle("OneGrid API").WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts().DisableTelemetry().DisableAgent().DisableMcp().HideDeveloperTools());

        app.MapAccessEndpoints();
        app.MapTerritoryEndpoints();
        app.MapExportEndpoints();
        app.MapIndicatorEndpoints();
        app.MapCaseEndpoints();
        app.MapDisputeEndpoints();
        app.MapDisputeIndicatorEndpoints();
        app.MapCalendarEndpoints();
        app.MapOpen311Endpoints();
        // Loading a year's calendar and editing the catalog change every deadline and route: administrators only
        // (which of them, per endpoint, AdminScope decides).
        app.MapCalendarAdminEndpoints().RequireAdmin(AdminCapability.Calendar);
        app.MapCatalogEndpoints().RequireRoles(Role.Admin);
        app.MapWebhookEndpoints();
        app.MapCommandCentreEndpoints();
        app.MapWebModule();
        return app;
    }

    /// <summary>Paths only programs call: their errors stay problem details (RFC 9457), never an HTML page.</summary>
    private static readonly string[] MachinePaths = ["/api", "/open311", "/openapi", "/healthz", "/docs", "/_framework", "/_blazor", "/_content"];

    /// <summary>
    /// What a browser navigates to: a GET or HEAD outside the machine routes. A POST is left alone — re-executing it
    /// would send a form to the error page.
    /// </summary>
    internal static bool IsPageRequest(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)) &&
        !MachinePaths.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
}
