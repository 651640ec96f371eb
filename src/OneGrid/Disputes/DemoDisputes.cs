using Microsoft.EntityFrameworkCore;
using OneGrid.Access;
using OneGrid.Hosting;
using OneGrid.Persistence;
using OneGrid.Territory;
using OneGrid.Workflows;

namespace OneGrid.Disputes;

/// <summary>
/// <c>serve --demo</c>'s disputes in 西陵社区, one in each state a visitor should see: registered, mediating with a
/// session, agreed awaiting follow-up, escalated to 西兴街道, closed, and a high-risk one flagged to the district centre.
/// Driven through <see cref="DisputeService"/> by the demo mediators, so each has a real timeline. Only on an empty table.
/// </summary>
internal sealed class DemoDisputes : IStartupTask
{
    /// <summary>A point in 西陵社区 (the README's example report).</summary>
    private const double Lon = 120.1929, Lat = 30.1548;

    public int Order => 200; // after the demo accounts

    public async Task RunAsync(IServiceProvider services, HostSettings settings, CancellationToken ct)
    {
        if (!settings.Demo) return;
        var db = services.GetRequiredService<OneGridDbContext>();
        if (await db.Set<Dispute>().AnyAsync(ct)) return;
        await services.GetRequiredService<TerritoryIndexHolder>().RefreshAsync(db, ct: ct);
        var disputes = services.GetRequiredService<DisputeService>();
        // The host's clock, not the machine's: under a test's clock a session "two hours ago" must not lie in its future.
        var time = services.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow();

        async Task<Actor> As(string userName)
        {
            var user = await db.Users.AsNoTracking().FirstAsync(u => u.UserName == userName, ct);
            var grants = await db.Grants.AsNoTracking().Where(g => g.UserId == user.Id).ToListAsync(ct);
            return new Actor(user.Id, user.UserName, user.DisplayName, grants.Select(g => g.ToGrant()).ToList());
        }
        var community = await As("community");
        var district = await As("district");
        var mediator = await As("mediator-xl");

        async Task<Dispute> Register(Actor window, string type, string summary, string risk, params (string Role, string Name, string Phone)[] parties) =>
            await disputes.RegisterAsync(new DisputeRegistration(Lon, Lat, null, "西兴街道西陵社区", type, summary,
                parties.Select(p => new DisputePartyInput(p.Role, p.Name, p.Phone)).ToList(), risk), window, ct);

        async Task Act(Dispute d, Actor actor, string action, WorkflowInputs? inputs = null)
        {
            db.ChangeTracker.Clear();
            await disputes.ActAsync(d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), action, inputs ?? WorkflowInputs.Empty, actor, ct);
        }

        WorkflowInputs Session(string notes) => new WorkflowInputs().Set("at", time.GetUtcNow().ToString("O"))
            .Set("place", "西陵社区人民调解室").Set("attendees", "双方当事人、社区调解员").Set("notes", notes);

        await Register(community, "neighbour", "楼上住户夜间装修噪音，楼下住户多次投诉未果", "low",
            ("applicant", "王建国", "13812345678"), ("respondent", "李秀英", "13987654321"));

        var mediating = await Register(community, "property", "小区地下车库渗水，业主与物业公司就维修费用分担有争议", "medium",
            ("applicant", "陈晓东", "13700001111"), ("respondent", "滨江某物业服务有限公司", "057186000000"));
        await Act(mediating, mediator, DisputeWorkflow.Accept);
        await Act(mediating, mediator, DisputeWorkflow.Assign, new WorkflowInputs().Set("mediatorId", "mediator-xl"));
        await Act(mediating, mediator, DisputeWorkflow.Session, Session("物业同意先行勘查渗水原因，双方约定下周再谈"));

        var agreed = await Register(community, "neighbour", "相邻两户因楼道堆放杂物发生争执", "low",
            ("applicant", "张丽华", "13600002222"), ("respondent", "赵志刚", "13500003333"));
        await Act(agreed, mediator, DisputeWorkflow.Accept);
        await Act(agreed, mediator, DisputeWorkflow.Assign, new WorkflowInputs().Set("mediatorId", "mediator-xl"));
        await Act(agreed, mediator, DisputeWorkflow.Session, Session("双方同意清理楼道"));
        await Act(agreed, mediator, DisputeWorkflow.Agree, new WorkflowInputs().Set("agreement", "赵志刚清理楼道杂物，今后不再堆放")
            .Set("obligations", "赵志刚：一周内清理完毕；张丽华：不再就此投诉").Set("performBy", now.AddDays(7).ToString("yyyy-MM-dd")));

        var escalated = await Register(community, "labour", "装修工人与包工头就 3 个月工资结算发生争议，涉及 12 人", "medium",
            ("applicant", "刘大勇", "13400004444"), ("respondent", "孙包工", "13300005555"));
        await Act(escalated, mediator, DisputeWorkflow.Accept);
        await Act(escalated, mediator, DisputeWorkflow.Escalate, new WorkflowInputs().Set("reason", "涉及人数多、需街道劳动保障所参与"));

        var closed = await Register(community, "consumer", "居民在小区超市购买过期食品要求赔偿", "low",
            ("applicant", "周敏", "13200006666"), ("respondent", "西陵便民超市", "057186111111"));
        await Act(closed, mediator, DisputeWorkflow.Accept);
        await Act(closed, mediator, DisputeWorkflow.Agree, new WorkflowInputs().Set("agreement", "超市退款并赔偿 500 元")
            .Set("obligations", "超市当日支付").Set("performBy", now.ToString("yyyy-MM-dd")));
        await Act(closed, mediator, DisputeWorkflow.FollowUp, new WorkflowInputs().Set("performed", "true").Set("satisfied", "true"));
        await Act(closed, mediator, DisputeWorkflow.Close);

        await Register(district, "family", "夫妻因离婚财产分割激烈冲突，一方扬言采取极端行为", "high",
            ("applicant", "吴芳", "13100007777"), ("respondent", "郑强", "13000008888"));
    }
}
