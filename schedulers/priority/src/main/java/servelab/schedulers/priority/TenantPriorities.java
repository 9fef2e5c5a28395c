package servelab.schedulers.priority;

import java.util.HashMap;
import java.util.Map;

import servelab.api.sched.SeqView;

/** The {@code tenant_priorities} rule: a tenant's priority when it is listed, else the trace's. */
record TenantPriorities(Map<String, Integer> byTenant) {
    TenantPriorities {
        byTenant = Map.copyOf(byTenant);
    }

    /**
     * Parses {@code "gold=0, free=2"}; empty text is no rule.
     *
     * @throws IllegalArgumentException naming the pair that is not {@code tenant=integer}, or a tenant given twice
     */
    static TenantPriorities parse(String text) {
        var map = new HashMap<String, Integer>();
        if (text.isBlank()) return new TenantPriorities(map);
        for (var pair : text.split(",")) {
            int eq = pair.indexOf('=');
            String tenant = eq < 0 ? "" : pair.substring(0, eq).trim();
            Integer priority = eq < 0 ? null : parseInt(pair.substring(eq + 1).trim());
            if (tenant.isEmpty() || priority == null) {
                throw new IllegalArgumentException("parameter 'tenant_priorities' must be tenant=integer pairs joined"
                        + " by commas (e.g. gold=0,free=2); '" + pair.trim() + "' is not");
            }
            if (map.put(tenant, priority) != null) {
                throw new IllegalArgumentException("parameter 'tenant_priorities' gives tenant '" + tenant + "' twice");
            }
        }
        return new TenantPriorities(map);
    }

    long of(SeqView seq) {
        return byTenant.getOrDefault(seq.tenant(), seq.priority());
    }

    private static Integer parseInt(String s) {
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
