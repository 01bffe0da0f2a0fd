/** The privacy domain's public API: other domains and the composition roots import only this. */
export { PrivacyModule } from './privacy.module';
