/** Active health checks over the network and their wiring to the health module's state machines. */
package org.switchboard.proxy.health;
