/** The admin listener: probes, metrics, status page, endpoints, config, reload. */
package org.switchboard.proxy.admin;
