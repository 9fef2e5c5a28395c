package servelab.runtime.host;

import java.util.ArrayList;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;

/** What Declarative Services recorded when a bundle's plugin components did not come up, for error messages. */
final class ComponentFailures {
    private ComponentFailures() {}

    /** Why {@code bundle}'s components failed, from Declarative Services' own records. */
    static String of(BundleContext context, Bundle bundle) {
        var ref = context.getServiceReference(ServiceComponentRuntime.class);
        if (ref == null) return "Declarative Services is not running";
        var scr = context.getService(ref);
        try {
            var reasons = new ArrayList<String>();
            for (var description : scr.getComponentDescriptionDTOs(bundle)) {
                for (var config : scr.getComponentConfigurationDTOs(description)) {
                    if (config.state == ComponentConfigurationDTO.FAILED_ACTIVATION && config.failure != null) {
                        reasons.add(description.name + ": " + firstLines(config.failure));
                    } else if (config.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                        reasons.add(description.name + ": unsatisfied reference");
                    }
                }
            }
            return reasons.isEmpty() ? "no reason recorded by Declarative Services" : String.join("; ", reasons);
        } finally {
            context.ungetService(ref);
        }
    }

    private static String firstLines(String trace) {
        return trace.lines().filter(l -> !l.isBlank()).map(String::strip)
                .filter(l -> !l.startsWith("at ") && !l.matches("\\.\\.\\. \\d+ more"))
                .limit(3).collect(Collectors.joining(" / "));
    }
}
