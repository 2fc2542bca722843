using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Stampede.Cli.Audit;
using Stampede.Cli.Api;
using Stampede.Cli.Servers;
using Stampede.Cli.Services;
using Stampede.Messaging;

namespace Stampede.Cli.Commands;

/// <summary>`audit [--json] [--grace 2m]`: checks that stock, money and orders agree across the
/// running system's services (<see cref="SystemAudit"/>); exits 1 on any finding.</summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the report as JSON (findings with their ids)." };
        var grace = new Option<TimeSpan>("--grace")
        {
            Description = "How long a change may still be travelling (money on its way back, an order about to expire), e.g. 00:02:00.",
            DefaultValueFactory = _ => TimeSpan.FromMinutes(2),
        };
        var instance = InstanceOption.Create();
        var command = new Command("audit", "Check across services that stock, money and orders agree; exit code 1 on any finding.")
        {
            json, grace, instance,
        };
        command.SetAction(async (ParseResult result, CancellationToken _) =>
            await RunAsync(result.GetValue(json), result.GetValue(grace), Instance.Named(result.GetValue(instance)!), CliHost.TerminationToken));
        return command;
    }

    private static async Task<int> RunAsync(bool asJson, TimeSpan grace, Instance instance, CancellationToken ct)
    {
        if (!await new ServerSet(instance).AreReadyAsync(ct))
            throw new UserFacingException($"The '{instance.Name}' servers are not running; start the system with `./stampede up`.");

        using var http = StampedeApi.CreateHttpClient(ServiceCatalog.Gateway.Url);
        var admin = new StampedeApi(http, new ApiStatistics());
        if (!await admin.IsReadyAsync(ct)) throw new UserFacingException($"The gateway at {ServiceCatalog.Gateway.Url} is not ready; is the system up?");
        await admin.LoginAsync(ServiceCatalog.AdminEmail, ServiceCatalog.AdminPassword, ct);

        var services = await DeadLetterQueue.FindServicesAsync(instance.PostgresConnectionString, ct);
        await using var queue = await DeadLetterQueue.ConnectAsync(instance.RabbitMqUri, ct);
        var report = await SystemAudit.RunAsync(admin, (queue, services), grace, TimeProvider.System, ct);

        if (asJson) Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
        else Print(report);
        return report.IsClean ? 0 : 1;
    }

    private static void Print(AuditReport report)
    {
        AnsiConsole.MarkupLine($"Checked {report.PaidOrders:N0} paid orders, {report.PaymentsHoldingMoney:N0} payments holding money, " +
            $"{report.Skus:N0} SKUs ({report.HeldReservations:N0} held reservations), {report.DeadLetters:N0} dead letters.");
        if (report.IsClean)
        {
            AnsiConsole.MarkupLine("[green]No findings: stock, money and orders agree.[/]");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("check", "id", "detail");
        foreach (var finding in report.Findings) table.AddRow(Markup.Escape(finding.Check), Markup.Escape(finding.Id), Markup.Escape(finding.Detail));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[red]{report.Findings.Count} finding(s).[/]");
    }
}
