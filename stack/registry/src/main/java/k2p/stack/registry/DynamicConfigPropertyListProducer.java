package k2p.stack.registry;

import java.util.ArrayList;

import javax.enterprise.inject.Produces;
import javax.inject.Singleton;

import io.apicurio.common.apps.config.DynamicConfigPropertyList;

/**
 * Stands in for the Quarkus extension apicurio-common-app-components-config-index, whose build-time
 * (deployment) half is not on Maven Central. That extension only produces this bean: the list of config
 * properties that may be changed at run time through the registry's admin API. An empty list means every
 * property keeps its static value (application.properties, -D flags, environment), which is all the local
 * stack needs.
 */
public class DynamicConfigPropertyListProducer {
    @Produces
    @Singleton
    DynamicConfigPropertyList dynamicConfigPropertyList() {
        return new DynamicConfigPropertyList(new ArrayList<>());
    }
}
